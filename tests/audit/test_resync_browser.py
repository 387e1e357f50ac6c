"""Acceptance 1 of issue 8 in Chromium: a product refused for its empty Product Code is found on the Audit page
(dates, Results per page, search), fixed in the sandbox's Zoho UI, resynced with the Resync button, and a new
success entry linked to the failure appears.

Everything is real: the portal is connected to the sandbox over OAuth, the first sync and the resync go through
the sync engine over HTTP. With PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL) a real Celery worker
subprocess consumes the queue and the page's htmx polling shows the new entry; on SQLite in memory (which no
other process can open) the queued task runs at once in the request's process, as in tests/sync."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit import tasks
from audit.models import AuditEntry, ResyncRequest, ResyncStatus, Status, Trigger
from sync import services
from tests.audit.factories import days_ago, make_entry
from tests.conftest import PASSWORD
from tests.sync.portal_setup import connect, start_syncing
from tests.sync.workers import Worker, real_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings, live_server, monkeypatch):
    from mapping.taxes import save_default_accounts

    settings.PORTAL_BASE_URL = live_server.url
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    save_default_accounts(portal.xero_organisation, {"products": "200", "invoices": "200"})
    worker = None
    if real_services():
        worker = Worker("resync").start()
    else:
        sandbox.configure(xero={"webhooks_enabled": False})  # one request at a time on SQLite's shared connection
        monkeypatch.setattr(tasks.resync_entry_task, "apply_async",
                            lambda args=None, kwargs=None, **options: tasks.resync_entry_task.apply(args, kwargs))
    yield portal
    if worker is not None:
        worker.stop()


def test_a_failure_fixed_in_zoho_is_resynced_from_the_audit_page(portal, sandbox, page, live_server, owner,
                                                                 organisation):
    [lantern] = portal.zoho.insert_records("Products", [{"Product_Name": "Harbour Lantern", "Unit_Price": 42}])
    portal.zoho.insert_records("Products", [{"Product_Name": f"Deck Chair {i}", "Product_Code": f"DC-{i}"}
                                            for i in range(12)])
    services.sync_records(portal.xero_organisation, "products", "zoho_to_xero", trigger="cron")
    failure = AuditEntry.objects.get(zoho_id=lantern.id)
    assert failure.status == Status.FAILED
    make_entry(organisation, record_name="Harbour Lantern", module="products", status=Status.FAILED,
               zoho_id=lantern.id, created_at=days_ago(45))  # an old failure, outside the dates chosen below

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.goto(f"{live_server.url}/audit/")
    rows = page.get_by_test_id("audit-row")
    total = AuditEntry.objects.filter(organisation=organisation).count()  # 13 products, the old one, connections
    assert 14 <= total <= 25
    expect(rows).to_have_count(total)

    today = timezone.localdate()
    page.locator("#id_date_from").fill((today - datetime.timedelta(days=1)).isoformat())
    page.locator("#id_date_to").fill(today.isoformat())
    expect(page).to_have_url(re.compile(r"date_to=" + today.isoformat()))
    expect(rows).to_have_count(total - 1)  # the old failure is gone
    page.get_by_label("Results per page").select_option("10")
    expect(rows).to_have_count(10)
    expect(page).to_have_url(re.compile(r"per_page=10"))
    page.get_by_label("Search").fill("Harbour Lantern")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("row-status")).to_have_text("Failed")
    expect(rows.first).to_contain_text("Harbour Lantern")
    audit_url = page.url

    # Fix the cause in the sandbox's Zoho CRM: give the product its code.
    page.goto(f"{sandbox.url}/zoho/ui/Products/{lantern.id}/")
    page.locator("input[name='Product_Code']").fill("HL-1")
    page.get_by_test_id("zoho-save").click()
    expect(page.get_by_test_id("zoho-saved")).to_be_visible()

    page.goto(audit_url)
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("resync").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Resync of Harbour Lantern queued.")
    expect(page).to_have_url(re.compile(r"q=Harbour"))  # back on the same filtered page
    expect(rows).to_have_count(2, timeout=30_000)  # at once (eager) or by the htmx polling (real worker)
    new_row = rows.first
    expect(new_row.get_by_test_id("row-status")).to_have_text("Success")
    expect(new_row.get_by_test_id("resync-of-link")).to_be_visible()
    expect(rows.nth(1).get_by_test_id("row-status")).to_have_text("Failed")

    new_entry = AuditEntry.objects.get(resync_of=failure)
    assert (new_entry.status, new_entry.trigger, new_entry.zoho_id) == (Status.SUCCESS, Trigger.RESYNC, lantern.id)
    assert ResyncRequest.objects.get(entry=failure).status == ResyncStatus.DONE
    assert [item["Name"] for item in portal.xero.get_items() if item["Code"] == "HL-1"] == ["Harbour Lantern"]

    new_row.get_by_test_id("entry-link").click()
    expect(page.get_by_test_id("entry-status")).to_have_text("Success")
    expect(page.get_by_test_id("resync-of")).to_be_visible()
