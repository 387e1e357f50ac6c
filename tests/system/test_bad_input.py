"""Bad input from a signed-in member or from outside answers 4xx with a message (or a clean refusal for
callbacks), never 500, and changes nothing: each input below once answered 500 (issue 15)."""

import base64
import json

import pytest
from django.apps import apps
from django.urls import reverse

from audit.models import Status
from sync.trigger_models import ZohoChannel
from sync.triggers import tasks as trigger_tasks
from sync.triggers.webhooks import signature_of
from tests.audit.factories import make_entry
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db(databases="__all__")

PORTAL_APPS = ("tenancy", "connections", "mapping", "sync", "audit")


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _member_get(url):
    return lambda client, world: client.get(url)


def _export_import(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("mappings.json", b"[" * 400_000, content_type="application/json")
    return client.post(reverse("mapping:import"), {"file": upload})


def _xero_nested(client, world):
    raw = b'{"events": ' + _nested(100_000) + b"}"
    return client.post(reverse("sync:xero_webhook"), data=raw, content_type="application/json",
                       HTTP_X_XERO_SIGNATURE=signature_of(raw))


def _xero_nul(client, world):
    raw = json.dumps({"events": [{"tenantId": "\u0000" + world["tenant_id"], "resourceId": "0c1e-contact",
                                  "eventCategory": "CONTACT", "eventType": "Update"}]}).encode()
    return client.post(reverse("sync:xero_webhook"), data=raw, content_type="application/json",
                       HTTP_X_XERO_SIGNATURE=signature_of(raw))


def _zoho(body):
    def post(client, world):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.post(reverse("sync:zoho_notification"), data=raw, content_type="application/json")
    return post


def _zoho_channel_superscript(client, world):
    body = {"channel_id": "\u00b2", "token": world["channel"].token, "ids": ["1"], "operation": "update",
            "module": "Accounts"}
    return _zoho(body)(client, world)


def _zoho_ids_superscript(client, world):
    body = {"channel_id": str(world["channel"].channel_id), "token": world["channel"].token, "ids": ["\u00b2"],
            "operation": "update", "module": "Accounts"}
    return _zoho(body)(client, world)


BAD_INPUTS = {
    "audit page, date_to 9999-12-31": _member_get("/audit/?date_to=9999-12-31"),
    "audit page, date_from 0001-01-01": _member_get("/audit/?date_from=0001-01-01"),
    "audit CSV, date_to 9999-12-31": _member_get("/audit/export.csv?date_to=9999-12-31"),
    "resync all, date_to 9999-12-31": _member_get("/audit/resync-all/?date_to=9999-12-31"),
    "resync all posted, date_to 9999-12-31": lambda client, world: client.post(
        "/audit/resync-all/", {"date_to": "9999-12-31", "status": "failed"}),
    "audit cursor at year 1, +14:00": _member_get(
        "/audit/?after=" + _cursor(["0001-01-01T00:00:00+14:00", "6f1c2f34-1b0a-4a55-8d1a-3b9b0c1d2e3f"])),
    "audit cursor at year 9999, -14:00": _member_get(
        "/audit/?before=" + _cursor(["9999-12-31T23:59:59-14:00", "6f1c2f34-1b0a-4a55-8d1a-3b9b0c1d2e3f"])),
    "audit cursor nested 5,000 deep": _member_get("/audit/?after=" + base64.urlsafe_b64encode(
        _nested(5_000)).decode()),
    "taxes, ?xero=abc": _member_get("/mapping/taxes/?xero=abc"),
    "Xero accounts, ?xero=abc": _member_get("/mapping/xero-accounts/?xero=abc"),
    "refresh taxes, xero=abc": lambda client, world: client.post("/mapping/taxes/refresh/", {"xero": "abc"}),
    "mapping import of 400 KB of brackets": _export_import,
    "Zoho notification, channel_id ²": _zoho_channel_superscript,
    "Zoho notification, ids ²": _zoho_ids_superscript,
    "Zoho notification, channel_id ² without a token": _zoho({"channel_id": "\u00b2"}),
    "Zoho notification nested 100,000 deep": _zoho(b'{"channel_id": ' + _nested(100_000) + b"}"),
    "Zoho workflow webhook, ids ²": lambda client, world: client.post(
        reverse("sync:zoho_workflow", args=[world["organisation"].pk]) + "?key=" + world["workflow_key"],
        data=json.dumps({"module": "Accounts", "ids": ["\u00b2"]}), content_type="application/json"),
    "signed Xero webhook nested 100,000 deep": _xero_nested,
    "signed Xero webhook, NUL in tenantId": _xero_nul,
}


def _rows() -> dict:
    return {model._meta.label: model._default_manager.count()
            for name in PORTAL_APPS for model in apps.get_app_config(name).get_models()}


@pytest.fixture
def world(organisation, owner):
    from sync.trigger_models import ButtonKey
    from sync.triggers import keys

    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    connection = ZohoConnectionFactory(organisation=organisation)
    channel = ZohoChannel.objects.create(organisation=organisation, zoho_connection=connection, token="s3cret-token",
                                         events=["Accounts.all"], registered=True)
    make_entry(organisation, status=Status.FAILED, record_name="Harbour Supplies")
    return {"organisation": organisation, "tenant_id": xero_organisation.tenant_id, "channel": channel,
            "workflow_key": keys.token_for(organisation, ButtonKey.WORKFLOW)}


@pytest.fixture
def queued(monkeypatch):
    calls = []
    for task in (trigger_tasks.zoho_changed_task, trigger_tasks.xero_changed_task):
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_answers_4xx_and_changes_nothing(client, owner, world, queued, name):
    client.force_login(owner)
    client.raise_request_exception = False  # a 500 must show as a 500 here, not as an exception
    before = _rows()
    response = BAD_INPUTS[name](client, world)
    assert 400 <= response.status_code < 500, f"{name}: {response.status_code}"
    assert _rows() == before
    assert queued == []


def test_the_refusals_say_what_is_wrong(client, owner, world):
    client.force_login(owner)
    page = client.get("/audit/?date_to=9999-12-31").content.decode()
    assert "Enter a date between 1900-01-01 and 9998-12-31." in page
    csv = client.get("/audit/export.csv?date_to=9999-12-31")
    assert csv.status_code == 400 and "Enter a date between" in csv.content.decode()
    assert "could not understand" in client.get("/mapping/taxes/?xero=abc").content.decode()
