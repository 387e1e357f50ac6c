import json
from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.utils import timezone

from audit.models import AuditEntry
from connections.exceptions import AuthRevoked, PermanentError, RateLimited, TransientError
from connections.models import ApiCallCounter, Status, XeroOrganisation
from connections.providers.xero.client import XeroClient, idempotency_key
from tests.connections.factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db
API = "https://api.xero.com/api.xro/2.0"
TOKEN_URL = "https://identity.xero.com/connect/token"


@pytest.fixture
def xero_org(organisation):
    return XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")


@pytest.fixture
def client(xero_org, fake_sleep):
    return XeroClient(xero_org, sleep=fake_sleep)


@responses.activate
def test_every_call_carries_the_tenant_header_a_bearer_token_a_user_agent_and_is_counted(client, xero_org):
    responses.get(f"{API}/Organisation", json={"Organisations": [{"Name": "Demo Company (AU)"}]},
                  headers={"X-DayLimit-Remaining": "4990"})
    assert client.get_organisation()["Name"] == "Demo Company (AU)"
    sent = responses.calls[0].request
    assert sent.headers["xero-tenant-id"] == xero_org.tenant_id
    assert sent.headers["Authorization"] == f"Bearer {xero_org.token_set.access_token}"
    assert sent.headers["User-Agent"].startswith("SyncPortal/")
    counter = ApiCallCounter.objects.get()
    assert (counter.provider, counter.endpoint, counter.external_id, counter.count) == (
        "xero", "GET Organisation", xero_org.tenant_id, 1)
    xero_org.refresh_from_db()
    assert xero_org.last_successful_call_at is not None
    assert xero_org.day_limit_remaining == 4990


@responses.activate
def test_writes_send_summarize_errors_false_and_a_deterministic_idempotency_key(client, xero_org):
    responses.post(f"{API}/Contacts", json={"Contacts": [{"ContactID": "c-1", "Name": "Acme",
                                                          "StatusAttributeString": "OK"}]})
    contacts = [{"Name": "Acme", "ContactNumber": "zoho-1"}]
    client.save_contacts(contacts, idempotency_key="sync-run-7")
    client.save_contacts(contacts, idempotency_key="sync-run-7")
    client.save_contacts(contacts, idempotency_key="sync-run-8")
    first, second, third = (call.request for call in responses.calls)
    assert "summarizeErrors=false" in first.url
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.headers["Idempotency-Key"] != third.headers["Idempotency-Key"]
    assert len(first.headers["Idempotency-Key"]) <= 128
    assert first.headers["Idempotency-Key"] == idempotency_key(
        xero_org.tenant_id, "POST", "Contacts", "sync-run-7", payload={"Contacts": contacts})


@responses.activate
def test_create_only_uses_put_and_returns_one_result_per_element_with_xero_messages(client):
    responses.put(f"{API}/Contacts", json={"Contacts": [
        {"ContactID": "c-1", "Name": "Acme", "StatusAttributeString": "OK"},
        {"Name": "Acme", "HasValidationErrors": True, "StatusAttributeString": "ERROR",
         "ValidationErrors": [{"Message": "The contact name Acme is already assigned to another contact."}]},
    ]})
    results = client.save_contacts([{"Name": "Acme"}, {"Name": "Acme"}], create_only=True)
    assert responses.calls[0].request.method == "PUT"
    assert [r.ok for r in results] == [True, False]
    assert results[0].id == "c-1"
    assert "already assigned" in results[1].errors[0]


@responses.activate
def test_writes_go_in_batches_of_fifty(client):
    responses.post(f"{API}/Invoices", json={"Invoices": []})
    client.save_invoices([{"InvoiceNumber": f"INV-{i}"} for i in range(120)])
    sizes = [len(json.loads(call.request.body)["Invoices"]) for call in responses.calls]
    assert sizes == [50, 50, 20]


@responses.activate
def test_archive_contacts_posts_the_archived_status(client):
    responses.post(f"{API}/Contacts", json={"Contacts": [{"ContactID": "c-9", "ContactStatus": "ARCHIVED"}]})
    [result] = client.archive_contacts(["c-9"])
    assert json.loads(responses.calls[0].request.body) == {"Contacts": [{"ContactID": "c-9",
                                                                          "ContactStatus": "ARCHIVED"}]}
    assert result.ok


@responses.activate
def test_it_waits_for_retry_after_on_429_then_succeeds(client, fake_sleep):
    responses.get(f"{API}/Accounts", status=429, headers={"Retry-After": "7", "X-Rate-Limit-Problem": "minute"})
    responses.get(f"{API}/Accounts", json={"Accounts": [{"Code": "200"}]})
    assert client.get_accounts() == [{"Code": "200"}]
    assert 7.0 in fake_sleep.calls
    assert ApiCallCounter.objects.get(endpoint="GET Accounts").rate_limited == 1


@responses.activate
def test_the_daily_limit_is_not_retried(client):
    responses.get(f"{API}/Accounts", status=429, headers={"Retry-After": "3600", "X-Rate-Limit-Problem": "day"})
    with pytest.raises(RateLimited) as raised:
        client.get_accounts()
    assert raised.value.retry_after == 3600 and raised.value.problem == "day"
    assert len(responses.calls) == 1


@responses.activate
def test_5xx_is_retried_with_backoff_then_raises_a_transient_error(client, fake_sleep, settings):
    settings.PROVIDER_MAX_ATTEMPTS = 3
    responses.get(f"{API}/TaxRates", status=503)
    with pytest.raises(TransientError):
        client.get_tax_rates()
    assert len(responses.calls) == 3
    assert len(fake_sleep.calls) == 2


@responses.activate
def test_a_write_still_in_progress_is_retried_and_the_replay_returns_its_outcome(client, fake_sleep):
    """A write cut off by the network is still being processed when the client retries it: Xero answers 409 for
    the same Idempotency-Key until it is done. That is transient, not a refusal."""
    responses.put(f"{API}/Contacts", status=409, json={
        "Title": "Conflict", "Detail": "A request with this Idempotency-Key is in progress."})
    responses.put(f"{API}/Contacts", json={"Contacts": [{"ContactID": "c-1", "Name": "Acme", "StatusAttributeString": "OK"}]})
    [result] = client.save_contacts([{"Name": "Acme"}], create_only=True)
    assert result.ok and len(responses.calls) == 2 and len(fake_sleep.calls) == 1
    assert responses.calls[0].request.headers["Idempotency-Key"] == responses.calls[1].request.headers["Idempotency-Key"]


@responses.activate
def test_timeouts_are_retried(client):
    import requests

    responses.get(f"{API}/TaxRates", body=requests.ConnectTimeout("slow"))
    responses.get(f"{API}/TaxRates", json={"TaxRates": [{"TaxType": "OUTPUT"}]})
    assert client.get_tax_rates() == [{"TaxType": "OUTPUT"}]


@responses.activate
def test_a_400_becomes_a_permanent_error_with_xero_s_message(client):
    responses.post(f"{API}/Invoices", status=400, json={
        "ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
        "Elements": [{"ValidationErrors": [{"Message": "Invoice # must be unique."}]}]})
    with pytest.raises(PermanentError) as raised:
        client.save_invoices([{"InvoiceNumber": "INV-1"}])
    assert raised.value.code == "ValidationException"
    assert raised.value.provider_message == "Invoice # must be unique."
    assert len(responses.calls) == 1


@responses.activate
def test_an_expired_token_is_refreshed_and_the_rotated_token_saved(client, xero_org):
    token_set = xero_org.token_set
    token_set.expires_at = timezone.now() - timedelta(minutes=1)
    token_set.save()
    responses.post(TOKEN_URL, json={"access_token": "new-access", "refresh_token": "new-refresh",
                                    "expires_in": 1800, "token_type": "Bearer"})
    responses.get(f"{API}/Accounts", json={"Accounts": []})
    client.get_accounts()
    assert "refresh_token=xero-refresh-token" in responses.calls[0].request.body
    assert responses.calls[1].request.headers["Authorization"] == "Bearer new-access"
    token_set.refresh_from_db()
    assert (token_set.access_token, token_set.refresh_token) == ("new-access", "new-refresh")
    assert ApiCallCounter.objects.get(endpoint="POST oauth/token (refresh)").count == 1


@responses.activate
def test_a_401_token_expired_refreshes_once_and_retries(client):
    responses.get(f"{API}/Accounts", status=401, json={"Title": "Unauthorized", "Detail": "TokenExpired: token expired"})
    responses.post(TOKEN_URL, json={"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": 1800})
    responses.get(f"{API}/Accounts", json={"Accounts": [{"Code": "090"}]})
    assert client.get_accounts() == [{"Code": "090"}]


@responses.activate
def test_invalid_grant_marks_reconnect_needed_and_writes_an_audit_entry(client, xero_org):
    token_set = xero_org.token_set
    token_set.expires_at = timezone.now() - timedelta(minutes=1)
    token_set.save()
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    with pytest.raises(AuthRevoked):
        client.get_accounts()
    token_set.refresh_from_db()
    assert token_set.status == Status.RECONNECT_NEEDED
    entry = AuditEntry.objects.get(module="connection")
    assert entry.status == "failed" and entry.xero_tenant_id == xero_org.tenant_id
    assert "Demo Company (AU)" in entry.message and "reconnect" in entry.message
    with pytest.raises(AuthRevoked):  # no further calls once marked
        XeroClient(XeroOrganisation.objects.get(pk=xero_org.pk)).get_accounts()
    assert len(responses.calls) == 1


@responses.activate
def test_a_403_means_the_organisation_was_disconnected(client, xero_org):
    responses.get(f"{API}/Accounts", status=403, json={"Title": "Forbidden", "Detail": "AuthenticationUnsuccessful"})
    with pytest.raises(AuthRevoked):
        client.get_accounts()
    xero_org.refresh_from_db()
    assert xero_org.status == Status.RECONNECT_NEEDED


@responses.activate
def test_contacts_are_paged_until_a_short_page_with_if_modified_since(client):
    responses.get(f"{API}/Contacts", json={"Contacts": [{"ContactID": str(i)} for i in range(100)]})
    responses.get(f"{API}/Contacts", json={"Contacts": [{"ContactID": "last"}]})
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = list(client.iter_contacts(modified_since=since, include_archived=True))
    assert len(rows) == 101
    assert "page=2" in responses.calls[1].request.url and "includeArchived=true" in responses.calls[0].request.url
    # A date-time as the accounting spec types the header (with its offset), as Xero's own xero-python sends it.
    assert responses.calls[0].request.headers["If-Modified-Since"] == "2026-01-02T03:04:05+00:00"


@responses.activate
def test_invoices_by_ids_go_fifty_ids_per_request(client):
    responses.get(f"{API}/Invoices", json={"Invoices": [{"InvoiceID": "x"}]})
    client.get_invoices_by_ids([f"id-{i}" for i in range(75)])
    assert len(responses.calls) == 2
    assert responses.calls[0].request.url.count("id-") == 50


@responses.activate
def test_items_are_read_in_one_call_and_deleted_by_id(client):
    responses.get(f"{API}/Items", json={"Items": [{"ItemID": "i-1", "Code": "A"}]})
    responses.delete(f"{API}/Items/i-1", status=204)
    assert [i["Code"] for i in client.iter_items()] == ["A"]
    client.delete_item("i-1")
    assert ApiCallCounter.objects.filter(endpoint="DELETE Items/i-1").exists() or \
        ApiCallCounter.objects.filter(endpoint__startswith="DELETE Items").exists()


@responses.activate
def test_every_call_has_the_configured_timeout(client, settings):
    settings.PROVIDER_HTTP_TIMEOUT = 12.5
    responses.get(f"{API}/Accounts", json={"Accounts": []})
    client.get_accounts()
    assert responses.calls[0].request.req_kwargs["timeout"] == 12.5


@responses.activate
def test_get_currencies_reads_the_enabled_currencies(client):
    responses.get(f"{API}/Currencies", json={"Currencies": [{"Code": "AUD", "Description": "Australian Dollar"},
                                                            {"Code": "USD", "Description": "United States Dollar"}]})
    assert [c["Code"] for c in client.get_currencies()] == ["AUD", "USD"]
    assert responses.calls[0].request.headers["xero-tenant-id"] == client.xero_organisation.tenant_id
