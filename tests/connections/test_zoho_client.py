import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from audit.models import AuditEntry
from connections import counters, services
from connections.exceptions import AuthRevoked, PermanentError
from connections.models import ApiCallCounter, Status
from connections.providers.zoho.client import ZohoClient
from tests.connections.factories import ZohoConnectionFactory

pytestmark = pytest.mark.django_db
API = "https://www.zohoapis.eu/crm/v8"
TOKEN_URL = "https://accounts.zoho.eu/oauth/v2/token"


@pytest.fixture
def zoho(organisation):
    return ZohoConnectionFactory(organisation=organisation)


@pytest.fixture
def client(zoho, fake_sleep):
    return ZohoClient(zoho, sleep=fake_sleep)


@responses.activate
def test_calls_go_to_the_connection_s_api_domain_with_the_zoho_oauth_header(client, zoho):
    responses.get(f"{API}/org", json={"org": [{"id": "20001234", "company_name": "Acme CRM"}]})
    assert client.get_org()["company_name"] == "Acme CRM"
    assert responses.calls[0].request.headers["Authorization"] == f"Zoho-oauthtoken {zoho.access_token}"
    assert ApiCallCounter.objects.get().endpoint == "GET org"


@responses.activate
def test_zoho_api_domain_setting_overrides_every_data_centre(client, settings):
    settings.ZOHO_API_DOMAIN = "https://sandbox.example/zoho/eu/api"
    responses.get("https://sandbox.example/zoho/eu/api/crm/v8/org/taxes", json={"taxes": [{"name": "VAT"}]})
    assert client.get_taxes() == [{"name": "VAT"}]


@responses.activate
def test_org_taxes_are_read_from_the_v8_org_taxes_wrapper(client):
    responses.get(f"{API}/org/taxes", json={"org_taxes": {
        "taxes": [{"id": "1", "name": "VAT", "value": 20.0}], "preference": {"auto_populate_tax": True}}})
    assert client.get_taxes() == [{"id": "1", "name": "VAT", "value": 20.0}]


@responses.activate
def test_records_follow_page_then_page_token_past_two_thousand(client):
    for page in range(1, 11):
        responses.get(f"{API}/Accounts", json={
            "data": [{"id": f"{page}-{i}"} for i in range(200)],
            "info": {"more_records": True, "page": page, "next_page_token": f"tok-{page}"}})
    responses.get(f"{API}/Accounts", json={"data": [{"id": "last"}], "info": {"more_records": False}})
    rows = list(client.iter_records("Accounts", ["Account_Name", "Modified_Time"]))
    assert len(rows) == 2001
    urls = [call.request.url for call in responses.calls]
    assert "page=10" in urls[9] and "page_token=tok-10" in urls[10]
    assert "sort_by=Modified_Time" in urls[0] and "fields=Account_Name%2CModified_Time" in urls[0]


def test_more_than_fifty_fields_are_refused_before_any_call(client):
    with pytest.raises(ValueError):
        list(client.iter_records("Accounts", [f"F{i}" for i in range(51)]))


@responses.activate
def test_an_empty_module_answers_204_and_yields_nothing(client):
    responses.get(f"{API}/Products", status=204)
    assert list(client.iter_records("Products", ["Product_Name"])) == []


@responses.activate
def test_upserts_go_in_chunks_of_100_without_workflows_and_return_per_record_results(client):
    def reply(request):
        body = json.loads(request.body)
        data = [{"code": "SUCCESS", "status": "success", "action": "insert", "details": {"id": f"z{i}"},
                 "message": "record added"} for i, _ in enumerate(body["data"])]
        data[0] = {"code": "DUPLICATE_DATA", "status": "error", "message": "duplicate data",
                   "details": {"api_name": "Email"}}
        return 207, {}, json.dumps({"data": data})

    responses.add_callback(responses.POST, f"{API}/Contacts/upsert", callback=reply)
    results = client.upsert_records("Contacts", [{"Last_Name": f"N{i}"} for i in range(150)],
                                    duplicate_check_fields=["Email"])
    bodies = [json.loads(call.request.body) for call in responses.calls]
    assert [len(b["data"]) for b in bodies] == [100, 50]
    assert all(b["trigger"] == [] and b["duplicate_check_fields"] == ["Email"] for b in bodies)
    assert len(results) == 150
    assert not results[0].ok and results[0].code == "DUPLICATE_DATA"
    assert results[1].ok and results[1].id == "z1" and results[1].action == "insert"


@responses.activate
def test_a_write_where_every_record_fails_returns_results_instead_of_raising(client):
    responses.post(f"{API}/Accounts", status=400, json={"data": [
        {"code": "MANDATORY_NOT_FOUND", "status": "error", "message": "required field not found",
         "details": {"api_name": "Account_Name"}}]})
    [result] = client.insert_records("Accounts", [{}])
    assert not result.ok and result.details["api_name"] == "Account_Name"


@responses.activate
def test_other_4xx_become_permanent_errors_with_zoho_s_message(client):
    responses.get(f"{API}/Foo", status=400, json={"code": "INVALID_MODULE", "message": "the module name given seems to be invalid", "status": "error"})
    with pytest.raises(PermanentError) as raised:
        list(client.iter_records("Foo", ["id"]))
    assert raised.value.code == "INVALID_MODULE"
    assert "invalid" in raised.value.provider_message


@responses.activate
def test_429_backs_off_exponentially_with_jitter_and_retries(client, fake_sleep, settings):
    settings.PROVIDER_BACKOFF_BASE_SECONDS = 1.0
    responses.get(f"{API}/settings/modules", status=429, json={"code": "TOO_MANY_REQUESTS"})
    responses.get(f"{API}/settings/modules", status=429, json={"code": "TOO_MANY_REQUESTS"})
    responses.get(f"{API}/settings/modules", json={"modules": [{"api_name": "Accounts"}]})
    assert client.get_modules() == [{"api_name": "Accounts"}]
    assert 0.5 <= fake_sleep.calls[0] <= 1.0 and 1.0 <= fake_sleep.calls[1] <= 2.0


@responses.activate
def test_an_access_token_is_reused_until_shortly_before_expiry(client, zoho, monkeypatch, django_assert_max_num_queries):
    responses.get(f"{API}/org", json={"org": [{}]})
    client.get_org()
    with counters.deferred():  # as a sync run counts: in memory, written once per chunk
        with django_assert_max_num_queries(0):  # the token is kept in the client: no row read per call
            for _ in range(4):
                client.get_org()
    assert ApiCallCounter.objects.get(endpoint="GET org").count == 5
    assert not any(TOKEN_URL in call.request.url for call in responses.calls)

    # Shortly before the expiry (within TOKEN_REFRESH_MARGIN_SECONDS) the client refreshes, once.
    later = zoho.expires_at - timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    responses.post(TOKEN_URL, json={"access_token": "1000.fresh", "expires_in": 3600,
                                    "api_domain": "https://www.zohoapis.eu", "token_type": "Bearer"})
    client.get_org()
    client.get_org()
    assert sum(TOKEN_URL in call.request.url for call in responses.calls) == 1
    zoho.refresh_from_db()
    assert zoho.access_token == "1000.fresh"
    assert zoho.refresh_token.startswith("1000.zoho-refresh")  # Zoho refresh tokens do not rotate


@responses.activate
def test_a_revoked_zoho_grant_marks_reconnect_needed_pauses_sync_and_is_audited(client, zoho, organisation, owner):
    services.accept_terms(organisation, owner)
    from tests.connections.factories import XeroOrganisationFactory

    XeroOrganisationFactory(organisation=organisation)
    assert services.ready_for_sync(organisation)
    responses.get(f"{API}/org", status=401, json={"code": "INVALID_TOKEN", "message": "invalid oauth token"})
    responses.post(TOKEN_URL, json={"error": "invalid_code"})
    with pytest.raises(AuthRevoked):
        client.get_org()
    zoho.refresh_from_db()
    assert zoho.status == Status.RECONNECT_NEEDED
    assert not services.ready_for_sync(organisation)
    assert AuditEntry.objects.filter(module="connection", status="failed", message__contains="Zoho CRM").count() == 1


@responses.activate
def test_a_watch_request_whose_every_channel_failed_gives_per_channel_results_not_an_exception(client):
    responses.put(f"{API}/actions/watch", status=400, json={"watch": [
        {"code": "NOT_SUBSCRIBED", "status": "error", "message": "Not subscribed", "details": {"channel_id": "1"}}]})
    [result] = client.update_notifications([{"channel_id": "1", "events": ["Accounts.all"]}])
    assert not result.ok and result.code == "NOT_SUBSCRIBED"


@responses.activate
def test_notifications_and_coql(client):
    responses.post(f"{API}/actions/watch", json={"watch": [{"code": "SUCCESS", "status": "success",
                                                            "details": {"channel_id": "1"}}]})
    responses.post(f"{API}/coql", json={"data": [{"id": "1"}], "info": {"more_records": False}})
    responses.delete(f"{API}/actions/watch", json={"watch": [{"code": "SUCCESS", "status": "success"}]})
    [enabled] = client.enable_notifications([{"channel_id": "1", "events": ["Accounts.all"],
                                              "notify_url": "https://portal.example/hook"}])
    assert enabled.ok
    assert client.coql("select id from Accounts limit 1")["data"] == [{"id": "1"}]
    assert client.disable_notifications(["1"])[0].ok
    assert "channel_ids=1" in responses.calls[2].request.url
