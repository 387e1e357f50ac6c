"""Acceptance 4: forged Zoho notifications and Xero webhooks (wrong token, wrong signature, malformed body) get
401 or 400 and queue nothing; valid ones queue one small task on the "realtime" queue and answer at once."""

import json

import pytest

from connections.models import ZohoConnection
from sync.trigger_models import ButtonKey, ZohoChannel
from sync.triggers import keys, tasks
from sync.triggers.webhooks import signature_of

from .factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db

ZOHO_URL = "/sync/notifications/zoho/"
XERO_URL = "/sync/webhooks/xero/"


@pytest.fixture
def queued(monkeypatch):
    calls = []

    def fake(task):
        def apply_async(args=None, kwargs=None, **options):
            calls.append((task, args, kwargs or None, options))
        return apply_async

    monkeypatch.setattr(tasks.zoho_changed_task, "apply_async", fake("zoho"))
    monkeypatch.setattr(tasks.xero_changed_task, "apply_async", fake("xero"))
    return calls


@pytest.fixture
def channel(organisation):
    connection = ZohoConnection.objects.create(
        organisation=organisation, location="eu", accounts_server="https://accounts.zoho.eu",
        api_domain="https://www.zohoapis.eu", access_token="a", refresh_token="r")
    return ZohoChannel.objects.create(organisation=organisation, zoho_connection=connection, token="s3cret-token",
                                      events=["Accounts.all"], registered=True)


def _notification(channel, **changes):
    body = {"server_time": 1718115953625, "query_params": {}, "module": "Accounts",
            "resource_uri": "https://www.zohoapis.eu/crm/v8/Accounts", "ids": ["5725767000003000010"],
            "operation": "update", "channel_id": str(channel.channel_id), "token": "s3cret-token"}
    body.update(changes)
    return body


def _post(client, url, body, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(url, data=raw, content_type="application/json", **headers)


def test_a_valid_zoho_notification_queues_one_realtime_task(client, channel, queued):
    response = _post(client, ZOHO_URL, _notification(channel))
    assert response.status_code == 200
    assert queued == [("zoho", [str(channel.organisation_id), "accounts", ["5725767000003000010"]],
                       {"trigger": "on_save"}, {"queue": "realtime"})]


@pytest.mark.parametrize("changes, status", [
    ({"token": "wrong-token"}, 401),
    ({"channel_id": "999999"}, 401),
    ({"token": None}, 400),
    ({"ids": "not-a-list"}, 400),
    ({"ids": ["12; DROP"]}, 400),
    ({"operation": "explode"}, 400),
    ({"module": "Leads"}, 400),
])
def test_forged_or_malformed_zoho_notifications_are_refused_and_queue_nothing(client, channel, queued, changes,
                                                                               status, caplog):
    response = _post(client, ZOHO_URL, _notification(channel, **changes))
    assert response.status_code == status
    assert queued == []
    assert "Zoho notification refused" in caplog.text
    assert "s3cret-token" not in caplog.text


def test_a_zoho_notification_that_is_not_json_is_a_400(client, channel, queued):
    assert _post(client, ZOHO_URL, b"{not json").status_code == 400
    assert _post(client, ZOHO_URL, b"[1, 2]").status_code == 400
    assert client.get(ZOHO_URL).status_code == 405
    assert queued == []


def test_a_removed_channel_no_longer_queues(client, channel, queued):
    body = _notification(channel)
    channel.delete()
    assert _post(client, ZOHO_URL, body).status_code == 401
    assert queued == []


def _events(tenant_id, category="CONTACT", resource="0c1e-contact"):
    return {"events": [{"resourceUrl": f"https://api.xero.com/api.xro/2.0/Contacts/{resource}",
                        "resourceId": resource, "eventDateUtc": "2026-11-25T01:00:00", "eventType": "Update",
                        "eventCategory": category, "tenantId": tenant_id, "tenantType": "ORGANISATION"}],
            "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "XYZ"}


def test_a_signed_xero_webhook_queues_per_xero_organisation_and_answers_empty(client, organisation, queued):
    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    raw = json.dumps(_events(xero_organisation.tenant_id)).encode()
    response = _post(client, XERO_URL, raw, HTTP_X_XERO_SIGNATURE=signature_of(raw))
    assert response.status_code == 200 and response.content == b""
    assert not response.cookies
    assert queued == [("xero", [str(xero_organisation.pk), "accounts", ["0c1e-contact"]], None, {"queue": "realtime"})]


def test_the_intent_to_receive_is_answered_200_signed_and_401_unsigned(client, queued):
    raw = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "ABC"}).encode()
    assert _post(client, XERO_URL, raw, HTTP_X_XERO_SIGNATURE=signature_of(raw)).status_code == 200
    bad = _post(client, XERO_URL, raw, HTTP_X_XERO_SIGNATURE=signature_of(raw, key="another-key"))
    assert bad.status_code == 401 and bad.content == b""
    assert queued == []


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", None])
def test_xero_webhooks_with_a_wrong_signature_get_401_and_queue_nothing(client, organisation, queued, signature):
    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    raw = json.dumps(_events(xero_organisation.tenant_id)).encode()
    headers = {} if signature is None else {"HTTP_X_XERO_SIGNATURE": signature}
    assert _post(client, XERO_URL, raw, **headers).status_code == 401
    # the signature covers the raw bytes: the same JSON re-serialised differently is not accepted
    tampered = json.dumps(_events(xero_organisation.tenant_id), indent=1).encode()
    assert _post(client, XERO_URL, tampered, HTTP_X_XERO_SIGNATURE=signature_of(raw)).status_code == 401
    assert queued == []


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'{"events": "x"}', b'{"events": [{"eventCategory": "CONTACT"}]}'])
def test_signed_but_malformed_xero_webhooks_get_400_and_queue_nothing(client, queued, raw):
    assert _post(client, XERO_URL, raw, HTTP_X_XERO_SIGNATURE=signature_of(raw)).status_code == 400
    assert queued == []


def test_xero_events_of_tenants_nobody_syncs_queue_nothing(client, queued):
    raw = json.dumps(_events("unknown-tenant", category="INVOICE")).encode()
    assert _post(client, XERO_URL, raw, HTTP_X_XERO_SIGNATURE=signature_of(raw)).status_code == 200
    assert queued == []


def test_the_workflow_webhook_needs_the_organisations_signed_token(client, organisation, other_organisation, queued):
    url = f"/sync/hooks/zoho/{organisation.pk}/?key={keys.token_for(organisation, ButtonKey.WORKFLOW)}"
    other = f"/sync/hooks/zoho/{organisation.pk}/?key={keys.token_for(other_organisation, ButtonKey.WORKFLOW)}"
    assert client.post(url, {"module": "Accounts", "id": "123"}).status_code == 200
    assert client.post(other, {"module": "Accounts", "id": "123"}).status_code == 401
    assert client.post(f"/sync/hooks/zoho/{organisation.pk}/", {"module": "Accounts", "id": "123"}).status_code == 401
    assert client.post(url, {"module": "Accounts", "id": "abc"}).status_code == 400
    assert client.post(url, {"module": "Leads", "id": "123"}).status_code == 400
    assert _post(client, url, {"module": "Invoices", "ids": ["7", "8"]}).status_code == 200
    assert queued == [("zoho", [str(organisation.pk), "accounts", ["123"]], {"trigger": "on_save"}, {"queue": "realtime"}),
                      ("zoho", [str(organisation.pk), "invoices", ["7", "8"]], {"trigger": "on_save"},
                       {"queue": "realtime"})]


def test_when_the_broker_is_down_the_callback_answers_503_so_the_provider_retries(client, channel, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.zoho_changed_task, "apply_async", broken)
    assert _post(client, ZOHO_URL, _notification(channel)).status_code == 503
