import pytest
from django.urls import reverse

from audit.links import LinkContext, set_link_context_lookup, xero_record_url, zoho_crm_host, zoho_record_url
from audit.models import Module, Status
from tests.audit.factories import make_entry

pytestmark = pytest.mark.django_db


def test_the_detail_shows_what_was_written_the_response_and_the_error(owner_client, organisation):
    entry = make_entry(
        organisation,
        record_name="Acme Ltd",
        module=Module.INVOICES,
        status=Status.FAILED,
        xero_id="1cf1a11c-a067-4a05-9c8b-06f281f7afed",
        values_written={"Reference": "INV-0042", "LineItems": [{"AccountCode": "999"}]},
        provider_response={"ErrorNumber": 10, "Type": "ValidationException"},
        provider_error_code="ValidationException",
        provider_error="Account code '999' is not a valid code for this document.",
    )
    response = owner_client.get(reverse("audit:detail", args=[entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "INV-0042" in html and "&quot;AccountCode&quot;: &quot;999&quot;" in html
    assert "ValidationException" in html
    assert "Account code &#x27;999&#x27; is not a valid code for this document." in html
    assert 'href="https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=1cf1a11c-a067-4a05-9c8b-06f281f7afed"' in html


def test_the_detail_links_to_the_entry_it_resynced(owner_client, organisation):
    first = make_entry(organisation, record_name="Acme Ltd", status=Status.FAILED)
    again = make_entry(organisation, record_name="Acme Ltd", status=Status.SUCCESS, resync_of=first)
    html = owner_client.get(reverse("audit:detail", args=[again.pk])).content.decode()
    assert reverse("audit:detail", args=[first.pk]) in html
    html = owner_client.get(reverse("audit:detail", args=[first.pk])).content.decode()
    assert 'data-testid="resyncs"' in html and reverse("audit:detail", args=[again.pk]) in html


def test_the_zoho_link_uses_the_registered_connection_lookup(owner_client, organisation, monkeypatch):
    entry = make_entry(organisation, module=Module.ACCOUNTS, zoho_id="5725767000000409001", xero_id="8275f116-6419-4b82-889a-f41dcc1d6186", xero_tenant_id="tenant-1")
    seen = []

    def lookup(org, tenant_id):
        seen.append((org, tenant_id))
        return LinkContext(zoho_crm_host="crm.zoho.eu", zoho_org="org20061234", xero_short_code="!NLglS")

    monkeypatch.setattr("audit.links._lookup", None)  # restored after the test (the connections app registers one)
    set_link_context_lookup(lookup)
    html = owner_client.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert seen == [(organisation, "tenant-1")]
    assert 'href="https://crm.zoho.eu/crm/org20061234/tab/Accounts/5725767000000409001"' in html
    assert (
        'href="https://go.xero.com/organisationlogin/default.aspx?shortcode=%21NLglS&amp;redirecturl=/Contacts/View/8275f116-6419-4b82-889a-f41dcc1d6186"'
        in html
    )


def test_a_refused_duplicate_links_to_the_conflicting_record(owner_client, organisation, monkeypatch):
    from sync.engine import messages

    entry = make_entry(organisation, module=Module.PRODUCTS, status=Status.FAILED, direction="xero_to_zoho",
                       xero_id="8275f116-6419-4b82-889a-f41dcc1d6186", message_key=messages.PROVIDER_DUPLICATE,
                       message_params={"target": "Zoho CRM", "field": "Product Name", "value": "Cable kit 48",
                                       "code": "DUPLICATE_DATA", "conflict_id": "5725767000000409001"})
    monkeypatch.setattr("audit.links._lookup", None)
    set_link_context_lookup(lambda org, tenant: LinkContext(zoho_crm_host="crm.zoho.eu", zoho_org="org20061234"))
    html = owner_client.get(reverse("audit:detail", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'data-testid="conflicting-record"' in html
    assert 'href="https://crm.zoho.eu/crm/org20061234/tab/Products/5725767000000409001"' in html
    assert "Cable kit 48" in html and "Product Name" in html


def test_a_record_that_waits_for_another_links_to_that_records_entry_and_zoho_page(owner_client, organisation,
                                                                                   monkeypatch):
    from sync.engine import messages

    tenant = {"xero_tenant_id": "tenant-1", "xero_tenant_name": "Demo Company (AU)"}
    product = make_entry(organisation, module=Module.PRODUCTS, status=Status.FAILED, record_name="Cable kit 48",
                         zoho_id="5725767000000409001", message_key=messages.ZOHO_VALUE_TOO_LONG, **tenant)
    invoice = make_entry(organisation, module=Module.INVOICES, status=Status.FAILED, record_name="INV-0042",
                         message_key=messages.WAITS_FOR_DEPENDENCY, message_params={
                             "dependency": messages.PRODUCT, "name": "Cable kit 48", "target": "Xero",
                             "dependency_module": "products", "dependency_id": "5725767000000409001",
                             "reason": messages.SYNC_OFF}, **tenant)
    monkeypatch.setattr("audit.links._lookup", None)
    set_link_context_lookup(lambda org, tenant: LinkContext(zoho_crm_host="crm.zoho.eu", zoho_org="org20061234"))
    html = owner_client.get(reverse("audit:detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="waits-for"' in html
    assert reverse("audit:detail", args=[product.pk]) in html
    assert 'href="https://crm.zoho.eu/crm/org20061234/tab/Products/5725767000000409001"' in html
    html = owner_client.get(reverse("audit:detail", args=[product.pk])).content.decode()
    assert 'data-testid="waits-for"' not in html


def test_without_a_connection_there_is_no_zoho_link_but_the_id_is_shown(owner_client, organisation):
    entry = make_entry(organisation, zoho_id="5725767000000409001")
    html = owner_client.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert "5725767000000409001" in html
    assert 'data-testid="zoho-link"' not in html


@pytest.mark.parametrize(
    ("api_domain", "host"),
    [
        ("https://www.zohoapis.com", "crm.zoho.com"),
        ("https://www.zohoapis.eu", "crm.zoho.eu"),
        ("https://www.zohoapis.com.au", "crm.zoho.com.au"),
        ("https://www.zohoapis.ca", "crm.zohocloud.ca"),
        ("https://example.com", ""),
    ],
)
def test_the_zoho_crm_host_follows_the_data_centre(api_domain, host):
    assert zoho_crm_host(api_domain) == host


def test_the_link_builders_need_every_part_and_quote_ids():
    assert zoho_record_url("crm.zoho.in", "org1", "invoices", "77") == "https://crm.zoho.in/crm/org1/tab/Invoices/77"
    assert zoho_record_url("crm.zoho.in", "", "invoices", "77") == ""
    assert zoho_record_url("crm.zoho.in", "org1", "connection", "77") == ""
    assert zoho_record_url("crm.zoho.in", "org1", "accounts", "a/../b") == "https://crm.zoho.in/crm/org1/tab/Accounts/a%2F..%2Fb"
    assert xero_record_url("products", "abc") == "https://go.xero.com/Accounts/Inventory/abc"
    assert xero_record_url("contacts", "abc") == "https://go.xero.com/Contacts/View/abc"
    assert xero_record_url("xero_accounts", "abc") == ""
    assert xero_record_url("invoices", "") == ""
