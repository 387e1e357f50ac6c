"""The default sales account suggested by each Xero organisation's own chart (Type REVENUE or SALES; when there
are several, the one Xero's default chart calls "Sales"), pre-selected on the Taxes and Xero Accounts pages the
way the tax rates are, and applied only once saved."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from mapping import taxes
from mapping.accounts import AMBIGUOUS, NAMED_SALES, NO_ACCOUNT, ONLY, suggest_sales_account
from mapping.models import DefaultAccount, XeroAccount, ZohoTax
from tests.connections.factories import XeroOrganisationFactory


class Account(SimpleNamespace):
    def __str__(self):
        return f"{self.code} {self.name}"


def account(code, name, type_="REVENUE", status="ACTIVE"):
    return Account(code=code, name=name, type=type_, status=status)


XERO_DEFAULT_CHART = [account("200", "Sales"), account("260", "Other Revenue"), account("270", "Interest Income"),
                      account("400", "Advertising", "EXPENSE"), account("090", "Business Bank Account", "BANK")]


def test_of_xeros_default_chart_it_suggests_200_sales_and_says_why():
    suggestion = suggest_sales_account(XERO_DEFAULT_CHART)
    assert (suggestion.code, suggestion.reason, suggestion.candidates) == ("200", NAMED_SALES, 3)
    assert suggestion.explanation("Demo Company (AU)") == (
        'Suggested: 200 Sales. Demo Company (AU) has 3 revenue accounts; this is the one Xero\'s default chart of '
        'accounts calls "Sales".')


def test_the_only_revenue_or_sales_account_is_suggested_whatever_its_name():
    chart = [account("4000", "Consulting income", "SALES"), account("260", "Old revenue", status="ARCHIVED"),
             account("", "Uncoded revenue"), account("280", "Gains", "OTHERINCOME"), account("400", "Ads", "EXPENSE")]
    suggestion = suggest_sales_account(chart)
    assert (suggestion.code, suggestion.reason) == ("4000", ONLY)
    assert "the only revenue account" in suggestion.explanation("Acme")


def test_several_revenue_accounts_none_called_sales_suggest_nothing_and_the_admin_chooses():
    suggestion = suggest_sales_account([account("201", "Services"), account("202", "Goods")])
    assert (suggestion.account, suggestion.code, suggestion.reason) == (None, "", AMBIGUOUS)
    assert suggestion.explanation("Acme") == ('No suggestion: Acme has 2 revenue accounts and none is called "Sales" '
                                              "as in Xero's default chart of accounts. Choose one.")
    assert suggest_sales_account([account("400", "Ads", "EXPENSE")]).reason == NO_ACCOUNT


def test_of_several_accounts_called_sales_the_one_coded_200_is_suggested_else_none():
    assert suggest_sales_account([account("200", "Sales"), account("210", "sales ")]).code == "200"
    assert suggest_sales_account([account("205", "Sales"), account("210", "Sales")]).reason == AMBIGUOUS


@pytest.mark.parametrize("language, words", [("de", "Vorgeschlagen"), ("fr", "Suggéré :")])
def test_the_explanation_is_translated(language, words):
    with translation.override(language):
        text = suggest_sales_account(XERO_DEFAULT_CHART).explanation("Demo Company (AU)")
    assert text.startswith(words) and "200 Sales" in text and "Demo Company (AU)" in text


# --- the pages --------------------------------------------------------------------------------------------

CHART = [("200", "Sales", "REVENUE"), ("260", "Other Revenue", "REVENUE"), ("400", "Advertising", "EXPENSE")]


def chart_of(xero_organisation, rows):
    for index, (code, name, type_) in enumerate(rows):
        XeroAccount.objects.create(organisation=xero_organisation.organisation, xero_organisation=xero_organisation,
                                   account_id=f"{xero_organisation.pk}-{index}", code=code, name=name, type=type_,
                                   account_class="EXPENSE" if type_ == "EXPENSE" else "REVENUE", status="ACTIVE")


@pytest.fixture
def xero_organisation(organisation):
    xero_organisation = XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")
    chart_of(xero_organisation, CHART)
    ZohoTax.objects.create(organisation=organisation, name="GST", percentage=10)
    return xero_organisation


def _row(html, module):
    return html.split(f'data-testid="default-account-row-{module}"')[1].split("</tr>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["mapping:taxes", "mapping:accounts"])
def test_both_pages_pre_select_the_suggestion_unsaved_and_say_which(page, owner_client, xero_organisation):
    html = owner_client.get(reverse(page), {"xero": str(xero_organisation.pk)}).content.decode()
    for module in ("products", "invoices"):
        row = _row(html, module)
        assert '<option value="200" selected>' in row and 'data-testid="account-unsaved"' in row
        assert 'value="400"' not in row  # an expense account is not offered
    assert "Suggested: 200 Sales. Demo Company (AU) has 2 revenue accounts" in html
    assert 'data-testid="accounts-not-saved"' in html
    assert not DefaultAccount.objects.exists()  # a suggestion is applied only once saved


@pytest.mark.django_db
def test_saving_the_suggested_tax_mapping_saves_the_suggested_default_sales_account(owner_client,
                                                                                    xero_organisation):
    """What the browser posts when the admin presses Save tax mapping on the suggestions."""
    data = {"xero": str(xero_organisation.pk), "tax_mode": "Exclusive", "tax:GST": "",
            "account:products": "200", "account:invoices": "200"}
    html = owner_client.post(reverse("mapping:taxes"), data, follow=True).content.decode()
    assert "Tax mapping saved." in html and "Default sales accounts saved." in html
    assert taxes.default_accounts(xero_organisation) == {"products": "200", "invoices": "200"}
    assert 'data-testid="account-unsaved"' not in html and 'data-testid="accounts-not-saved"' not in html
    # A post without the account fields (an older page, a script) leaves the saved accounts alone.
    owner_client.post(reverse("mapping:taxes"), {"xero": str(xero_organisation.pk), "tax_mode": "Exclusive"})
    assert taxes.default_accounts(xero_organisation) == {"products": "200", "invoices": "200"}


@pytest.mark.django_db
def test_a_saved_account_wins_over_the_suggestion(owner_client, xero_organisation):
    taxes.save_default_accounts(xero_organisation, {"invoices": "260"})
    html = owner_client.get(reverse("mapping:taxes"), {"xero": str(xero_organisation.pk)}).content.decode()
    invoices, products = _row(html, "invoices"), _row(html, "products")
    assert '<option value="260" selected>' in invoices and 'data-testid="account-unsaved"' not in invoices
    assert '<option value="200" selected>' in products and 'data-testid="account-unsaved"' in products


@pytest.mark.django_db
def test_each_xero_organisation_is_suggested_from_its_own_chart_never_anothers(owner_client, organisation,
                                                                              xero_organisation):
    taxes.save_default_accounts(xero_organisation, {"products": "260", "invoices": "260"})
    ambiguous = XeroOrganisationFactory(organisation=organisation, tenant_name="Acme Ltd")
    chart_of(ambiguous, [("260", "Other Revenue", "REVENUE"), ("4100", "Services", "REVENUE")])
    html = owner_client.get(reverse("mapping:accounts"), {"xero": str(ambiguous.pk)}).content.decode()
    for module in ("products", "invoices"):
        row = _row(html, module)
        assert '<option value="" selected>' in row and 'data-testid="account-unsaved"' not in row
    assert ("No suggestion: Acme Ltd has 2 revenue accounts and none is called &quot;Sales&quot; as in Xero&#x27;s "
            "default chart of accounts. Choose one.") in html
    own = XeroOrganisationFactory(organisation=organisation, tenant_name="Beta GmbH")
    chart_of(own, [("8400", "Sales", "REVENUE"), ("8500", "Other income", "REVENUE")])
    html = owner_client.get(reverse("mapping:taxes"), {"xero": str(own.pk)}).content.decode()
    assert '<option value="8400" selected>' in _row(html, "invoices")
    assert "Suggested: 8400 Sales. Beta GmbH has 2 revenue accounts" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language, words", [("de", "Vorgeschlagen: 200 Sales."), ("fr", "Suggéré : 200 Sales.")])
def test_the_page_says_which_account_is_suggested_in_the_users_language(language, words, owner, owner_client,
                                                                       xero_organisation):
    owner.language = language
    owner.save(update_fields=["language"])
    html = owner_client.get(reverse("mapping:accounts"), {"xero": str(xero_organisation.pk)}).content.decode()
    assert words in html
