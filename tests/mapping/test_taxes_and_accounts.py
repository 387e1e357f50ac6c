"""Tax mapping (suggested by rate), the invoice tax mode, the chart of accounts and default sales accounts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mapping import clients, taxes
from mapping.models import DefaultAccount, TaxMapping, XeroAccount, XeroTaxRate, ZohoTax
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db


def xero_rate(name, tax_type, rate, revenue=True):
    return {
        "Name": name,
        "TaxType": tax_type,
        "Status": "ACTIVE",
        "CanApplyToRevenue": revenue,
        "EffectiveRate": rate,
        "DisplayTaxRate": rate,
        "TaxComponents": [{"Name": "GST", "Rate": rate, "IsCompound": False}],
    }


class FakeZoho:
    PRODUCTS = [{"id": "90", "Product_Name": "Freight"}, {"id": "91", "Product_Name": "Materials"},
                {"id": "92", "Product_Name": "Materials"}]

    def search(self, module, criteria):
        assert module == "Products" and criteria.startswith("(Product_Name:equals:")
        name = criteria.removeprefix("(Product_Name:equals:").removesuffix(")")
        return [row for row in self.PRODUCTS if row["Product_Name"].lower() == name.lower()]

    def get_taxes(self):
        return [
            {"id": "1", "name": "GST", "value": 10.0},
            {"id": "2", "name": "Zero Rated", "value": 0.0},
            {"id": "3", "name": "VAT", "value": 20.0},
        ]


class FakeXero:
    def get_tax_rates(self):
        return [
            xero_rate("GST on Income", "OUTPUT", 10.0),
            xero_rate("GST on Expenses", "INPUT", 10.0, revenue=False),
            xero_rate("GST Free Income", "EXEMPTOUTPUT", 0.0),
        ]

    def get_accounts(self):
        return [
            {
                "AccountID": "a1",
                "Code": "200",
                "Name": "Sales",
                "Type": "REVENUE",
                "Class": "REVENUE",
                "Status": "ACTIVE",
                "TaxType": "OUTPUT",
            },
            {
                "AccountID": "a2",
                "Code": "260",
                "Name": "Other Revenue",
                "Type": "REVENUE",
                "Class": "REVENUE",
                "Status": "ACTIVE",
            },
            {
                "AccountID": "a3",
                "Code": "400",
                "Name": "Advertising",
                "Type": "EXPENSE",
                "Class": "EXPENSE",
                "Status": "ACTIVE",
            },
        ]

    def get_organisation(self):
        return {"BaseCurrency": "AUD"}


@pytest.fixture
def xero_organisation(organisation):
    return XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")


@pytest.fixture
def refreshed(owner_client, organisation, xero_organisation, monkeypatch):
    ZohoConnectionFactory(organisation=organisation)
    monkeypatch.setattr(clients, "zoho_client", lambda connection: FakeZoho())
    monkeypatch.setattr(clients, "xero_client", lambda xo: FakeXero())
    response = owner_client.post(
        reverse("mapping:refresh_taxes"), {"xero": str(xero_organisation.pk)}, follow=True
    )
    return response.content.decode()


def test_refresh_reads_zoho_taxes_and_the_xero_rates_accounts_and_currency(
    refreshed, organisation, xero_organisation
):
    assert "3 Zoho taxes refreshed." in refreshed
    assert "3 Xero tax rates and 3 accounts refreshed." in refreshed
    assert ZohoTax.objects.get(organisation=organisation, name="GST").percentage == Decimal("10")
    assert (
        XeroTaxRate.objects.get(xero_organisation=xero_organisation, tax_type="INPUT").can_apply_to_revenue
        is False
    )
    assert XeroAccount.objects.filter(xero_organisation=xero_organisation).count() == 3
    assert taxes.tax_context(organisation, xero_organisation).xero_currencies == ["AUD"]


def test_the_tax_page_suggests_xero_rates_of_the_same_percentage(refreshed, owner_client, xero_organisation):
    html = owner_client.get(reverse("mapping:taxes"), {"xero": str(xero_organisation.pk)}).content.decode()
    gst_row = html.split('data-testid="tax-row-GST"')[1].split("</tr>")[0]
    assert '<option value="OUTPUT" selected>' in gst_row
    assert 'value="INPUT"' not in gst_row  # a purchase rate is not offered for sales
    zero_row = html.split('data-testid="tax-row-Zero Rated"')[1].split("</tr>")[0]
    assert '<option value="EXEMPTOUTPUT" selected>' in zero_row
    vat_row = html.split('data-testid="tax-row-VAT"')[1].split("</tr>")[0]
    assert '<option value="" selected>' in vat_row  # no 20 % rate in this organisation
    assert 'data-testid="tax-unsaved"' in gst_row  # "suggestion, not saved" beside a suggestion only
    assert 'data-testid="tax-unsaved"' not in vat_row


def test_the_tax_page_writes_whole_and_zero_percentages_as_numbers(refreshed, owner_client, xero_organisation):
    """Decimal("10").normalize() is Decimal("1E+1"), and 0 is falsy: "10 %" and "0 %", not "1E+1 %" or "? %"."""
    html = owner_client.get(reverse("mapping:taxes"), {"xero": str(xero_organisation.pk)}).content.decode()
    gst_row = html.split('data-testid="tax-row-GST"')[1].split("</tr>")[0]
    assert "<td>10 %</td>" in gst_row
    assert "GST on Income (OUTPUT, 10 %)" in gst_row
    assert "E+" not in gst_row
    zero_row = html.split('data-testid="tax-row-Zero Rated"')[1].split("</tr>")[0]
    assert "<td>0 %</td>" in zero_row
    assert "GST Free Income (EXEMPTOUTPUT, 0 %)" in zero_row


def test_saving_the_tax_mapping_and_mode_warns_about_a_rate_mismatch(
    refreshed, owner_client, organisation, xero_organisation
):
    response = owner_client.post(
        reverse("mapping:taxes"),
        {
            "xero": str(xero_organisation.pk),
            "tax_mode": "Inclusive",
            "tax:GST": "OUTPUT",
            "tax:Zero Rated": "EXEMPTOUTPUT",
            "tax:VAT": "OUTPUT",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Tax mapping saved." in html
    assert html.count("The Zoho tax VAT is 20 % but its Xero tax rate OUTPUT is 10 %") == 1  # listed, not flashed too
    assert taxes.tax_mappings(xero_organisation) == {
        "GST": "OUTPUT",
        "Zero Rated": "EXEMPTOUTPUT",
        "VAT": "OUTPUT",
    }
    from mapping.services import tax_mode

    assert tax_mode(organisation) == "Inclusive"
    owner_client.post(
        reverse("mapping:taxes"),
        {
            "xero": str(xero_organisation.pk),
            "tax_mode": "Inclusive",
            "tax:GST": "OUTPUT",
            "tax:Zero Rated": "",
            "tax:VAT": "",
        },
    )
    assert taxes.tax_mappings(xero_organisation) == {"GST": "OUTPUT"}


def test_the_chart_of_accounts_is_listed_and_default_sales_accounts_are_saved(
    refreshed, owner_client, xero_organisation
):
    url = reverse("mapping:accounts")
    html = owner_client.get(url, {"xero": str(xero_organisation.pk)}).content.decode()
    assert "Advertising" in html.split('data-testid="chart-of-accounts"')[1]
    form = html.split('data-testid="default-accounts-form"')[1].split("</form>")[0]
    assert 'value="200"' in form and 'value="400"' not in form  # only revenue accounts are offered
    response = owner_client.post(
        url,
        {"xero": str(xero_organisation.pk), "account:products": "200", "account:invoices": "260"},
        follow=True,
    )
    assert "Default sales accounts saved." in response.content.decode()
    assert taxes.default_accounts(xero_organisation) == {"products": "200", "invoices": "260"}


def test_the_admin_chooses_zoho_products_for_itemless_lines_by_name_with_one_per_account_code(
    refreshed, owner_client, xero_organisation
):
    url = reverse("mapping:accounts")
    data = {"xero": str(xero_organisation.pk), "form": "itemless", "line_product:": "Freight",
            "line_product:260": "Materials", "line_product:200": "Pallets"}
    html = owner_client.post(url, data).content.decode()
    assert "Zoho CRM has no product called &quot;Pallets&quot;." in html
    assert "Zoho CRM has 2 products called &quot;Materials&quot;." in html
    assert taxes.line_products(xero_organisation) == {}  # nothing saved while a name is wrong
    response = owner_client.post(url, {**data, "line_product:260": "", "line_product:200": "freight"}, follow=True)
    assert "Products for lines without an item saved." in response.content.decode()
    assert taxes.line_products(xero_organisation) == {"": {"id": "90", "name": "Freight"},
                                                      "200": {"id": "90", "name": "Freight"}}
    resolver = taxes.OrganisationResolver(xero_organisation.organisation, xero_organisation)
    assert resolver.line_product("260") == {"id": "90", "name": "Freight"}  # no own product: the default
    owner_client.post(url, {**data, "line_product:": "", "line_product:260": "", "line_product:200": ""})
    assert taxes.line_products(xero_organisation) == {}


def test_the_resolver_applies_the_tax_mapping_default_accounts_and_tax_mode(
    refreshed, organisation, xero_organisation
):
    taxes.save_tax_mappings(xero_organisation, {"GST": "OUTPUT"})
    taxes.save_default_accounts(xero_organisation, {"invoices": "200"})
    resolver = taxes.OrganisationResolver(
        organisation, xero_organisation, to_xero_link=lambda module, zoho_id: f"x-{zoho_id}"
    )
    assert resolver.xero_tax_type("GST", 10) == "OUTPUT"
    assert resolver.zoho_tax("OUTPUT") == {"name": "GST", "percentage": 10.0, "id": "1"}
    assert (
        resolver.default_account_code("invoices") == "200"
        and resolver.default_account_code("products") is None
    )
    assert resolver.to_xero("Accounts", "7") == "x-7" and resolver.to_zoho("Accounts", "x-7") is None
    assert resolver.tax_mode() == "Exclusive"


def test_problems_before_sync_uses_the_organisations_data(refreshed, organisation, xero_organisation):
    problems = taxes.problems_before_sync(organisation, xero_organisation, "invoices", "zoho_to_xero")
    assert sorted(p.code for p in problems) == [
        "tax_unmapped",
        "tax_unmapped",
        "tax_unmapped",
    ]  # warnings until mapped
    taxes.save_tax_mappings(
        xero_organisation, {"GST": "OUTPUT", "Zero Rated": "EXEMPTOUTPUT", "VAT": "EXEMPTOUTPUT"}
    )
    problems = taxes.problems_before_sync(organisation, xero_organisation, "invoices", "zoho_to_xero")
    assert [p.code for p in problems] == ["tax_rate_mismatch"]


def test_a_read_only_member_sees_the_tax_page_but_cannot_save_or_refresh(
    client, read_only_member, organisation, xero_organisation
):
    client.force_login(read_only_member)
    html = client.get(reverse("mapping:taxes")).content.decode()
    assert 'data-testid="save-taxes"' not in html
    assert client.post(reverse("mapping:taxes"), {"tax_mode": "NoTax"}).status_code == 403
    assert client.post(reverse("mapping:refresh_taxes")).status_code == 403
    assert client.post(reverse("mapping:accounts"), {"xero": str(xero_organisation.pk)}).status_code == 403


def test_an_outsider_cannot_reach_another_organisations_xero_organisation(outsider_client, xero_organisation):
    xero = {"xero": str(xero_organisation.pk)}
    assert outsider_client.get(reverse("mapping:taxes"), xero).status_code == 404
    assert outsider_client.get(reverse("mapping:accounts"), xero).status_code == 404
    assert outsider_client.post(reverse("mapping:refresh_taxes"), xero).status_code == 404
    assert (
        outsider_client.post(reverse("mapping:accounts"), {**xero, "account:products": "200"}).status_code
        == 404
    )
    assert not TaxMapping.objects.exists() and not DefaultAccount.objects.exists()
    html = outsider_client.get(reverse("mapping:taxes")).content.decode()
    assert "Demo Company (AU)" not in html


class CallsOutsideTransactions(FakeXero, FakeZoho):
    """Records whether each provider call was made inside a database transaction."""

    def __init__(self):
        self.inside = []

    def _note(self, method):
        from django.db import connection

        self.inside.append((method, connection.in_atomic_block))

    def get_taxes(self):
        self._note("get_taxes")
        return super().get_taxes()

    def get_tax_rates(self):
        self._note("get_tax_rates")
        return super().get_tax_rates()

    def get_accounts(self):
        self._note("get_accounts")
        return super().get_accounts()

    def get_organisation(self):
        self._note("get_organisation")
        return super().get_organisation()


@pytest.mark.django_db(transaction=True)
def test_refreshing_calls_the_providers_outside_any_transaction_and_then_saves(organisation, xero_organisation):
    client = CallsOutsideTransactions()
    assert taxes.refresh_xero_reference(xero_organisation, client) == (3, 3)
    assert taxes.refresh_zoho_taxes(organisation, client) == 3
    assert client.inside == [("get_tax_rates", False), ("get_accounts", False), ("get_organisation", False),
                             ("get_taxes", False)]
    assert XeroAccount.objects.filter(xero_organisation=xero_organisation).count() == 3
    assert ZohoTax.objects.filter(organisation=organisation).count() == 3
