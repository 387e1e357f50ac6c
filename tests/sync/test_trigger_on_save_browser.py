"""Acceptance 1 in Chromium: with On Save Sync on, an account edited in the sandbox's Zoho UI is updated in the
sandbox's Xero within 5 seconds; with it off, it is not.

The path is the real one: the Settings page's switch registers the watch channel in the sandbox, the sandbox
posts the notification to the live portal's callback, the callback queues the real task. With PostgreSQL and
Redis (DATABASE_URL, CELERY_BROKER_URL) a real Celery worker subprocess consumes the "realtime" queue; on the
default SQLite in-memory database (which no other process can open) the queued task runs at once in the
callback's process instead (the eager path)."""

import time

import pytest
from playwright.sync_api import expect

from sync import services
from sync.models import RecordLink
from sync.trigger_models import ZohoChannel
from sync.triggers import tasks
from tests.conftest import PASSWORD

from .portal_setup import connect, start_syncing
from .worker_limits import fresh_limits
from .workers import Worker, real_services, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings, live_server, monkeypatch):
    settings.PORTAL_BASE_URL = live_server.url
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    worker = None
    if real_services():
        fresh_limits(portal)
        worker = Worker("on-save").start()
    else:
        sandbox.configure(xero={"webhooks_enabled": False})  # one callback at a time on SQLite's shared connection
        for task in (tasks.zoho_changed_task, tasks.xero_changed_task):
            monkeypatch.setattr(task, "apply_async",
                                lambda args=None, kwargs=None, _task=task, **options: _task.apply(args, kwargs))
    yield portal
    if worker is not None:
        worker.stop()


def _sign_in(page, live_server, owner):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()


def _switch_on_save_sync(page, live_server, portal, on: bool):
    page.goto(f"{live_server.url}/sync/settings/{portal.xero_organisation.pk}/")
    box = page.get_by_test_id("on-save-sync")
    box.check() if on else box.uncheck()
    page.get_by_test_id("update-configuration").click()
    expect(page.get_by_text("The configuration was updated.")).to_be_visible()


def _edit_in_zoho_ui(page, sandbox, zoho_id, name):
    page.goto(f"{sandbox.url}/zoho/ui/Accounts/{zoho_id}/")
    page.locator("input[name='Account_Name']").fill(name)
    page.get_by_test_id("zoho-save").click()
    expect(page.get_by_test_id("zoho-saved")).to_be_visible()


def _xero_name(portal, xero_id):
    return portal.xero.get_contacts_by_ids([xero_id])[0]["Name"]


def test_an_account_edited_in_zoho_reaches_xero_within_five_seconds_only_with_on_save_sync(
        portal, sandbox, page, live_server, owner):
    sandbox.seed(zoho={"accounts": 1, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    [account] = list(portal.zoho.iter_records("Accounts", ["Account_Name"]))
    services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="historical")
    link = RecordLink.objects.get(module="accounts", zoho_id=account["id"])

    _sign_in(page, live_server, owner)
    _switch_on_save_sync(page, live_server, portal, True)
    assert ZohoChannel.objects.get().registered

    _edit_in_zoho_ui(page, sandbox, account["id"], "Kakadu Outfitters Pty Ltd")
    saved_at = time.monotonic()
    wait_for(lambda: _xero_name(portal, link.xero_id) == "Kakadu Outfitters Pty Ltd", timeout=5, interval=0.1,
             message="the edit to reach Xero")
    assert time.monotonic() - saved_at < 5

    _switch_on_save_sync(page, live_server, portal, False)
    assert not ZohoChannel.objects.exists() and portal.zoho.list_notifications() == []
    before = sandbox.http.get(f"{sandbox.url}/_sandbox/zoho/notifications/deliveries").json()["deliveries"]
    assert before and before[0]["status"] == 200  # the first edit's notification was accepted
    _edit_in_zoho_ui(page, sandbox, account["id"], "Kakadu Outfitters (renamed again)")
    after = sandbox.http.get(f"{sandbox.url}/_sandbox/zoho/notifications/deliveries",
                             params={"wait": 1}).json()["deliveries"]
    assert len(after) == len(before)  # no channel any more: Zoho notified nobody
    time.sleep(1.0)  # what a stray task would need to arrive; nothing is queued, so nothing may change
    assert _xero_name(portal, link.xero_id) == "Kakadu Outfitters Pty Ltd"
