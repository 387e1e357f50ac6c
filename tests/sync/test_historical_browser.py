"""The Historical Sync page in Chromium: choosing Invoices ticks Accounts and Products, the dry run shows its
counts, and after Start the htmx-polled progress bar reaches 100 %.

With PostgreSQL and Redis a real worker runs the bulk queue; on SQLite the queued tasks run in the request."""

import re

import pytest
from playwright.sync_api import expect

from sync.triggers import tasks
from tests.conftest import PASSWORD

from .portal_setup import connect
from .worker_limits import fresh_limits
from .workers import Worker, real_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings, live_server, monkeypatch):
    settings.PORTAL_BASE_URL = live_server.url
    portal = connect(sandbox, owner_client, organisation, owner, settings)
    worker = None
    if real_services():
        fresh_limits(portal)
        worker = Worker("historical").start()
    else:
        sandbox.configure(xero={"webhooks_enabled": False})
        for task in (tasks.historical_plan_task, tasks.historical_run_task):
            monkeypatch.setattr(task, "apply_async",
                                lambda args=None, kwargs=None, _task=task, **options: _task.apply(args, kwargs))
    yield portal
    if worker is not None:
        worker.stop()


def test_dry_run_then_start_reaches_100_percent(portal, sandbox, page, live_server, owner):
    sandbox.seed(zoho={"accounts": 30, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.goto(f"{live_server.url}/sync/historical/")
    page.get_by_test_id("module-invoices").check()
    expect(page.get_by_test_id("module-accounts")).to_be_checked()
    expect(page.get_by_test_id("module-products")).to_be_checked()
    page.get_by_test_id("module-invoices").uncheck()
    page.get_by_test_id("module-products").uncheck()
    page.get_by_test_id("dry-run").click()

    expect(page.get_by_test_id("dry-run-accounts-create")).to_have_text("30", timeout=20_000)
    page.get_by_test_id("start-job").click()
    expect(page.get_by_test_id("progress-text")).to_contain_text("30 of 30 records (100 %)", timeout=30_000)
    expect(page.get_by_test_id("progress-failures")).to_have_text("0 failures")
    expect(page.get_by_test_id("historical-job")).to_have_attribute("data-status", "done")
    bar = page.get_by_test_id("progress-bar")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "30"
    assert len(list(portal.xero.iter_contacts())) == 30
    assert re.search(r"/sync/historical/[0-9a-f-]{36}/", page.url)
