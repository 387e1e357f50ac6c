"""Acceptance (issue 14, item 2), in Chromium as a new user: connect both sandboxes, accept the terms, let a cron
tick pass (the sandbox's clock moved ten minutes and Beat's dispatcher run) and find no write in the sandbox's
counters; then press "Start syncing" for one module and direction, and only that module syncs."""

import re

import pytest
from playwright.sync_api import expect

from connections.models import XeroOrganisation
from mapping import tasks as mapping_tasks
from sync.triggers import tasks
from tests.conftest import follow_sign_up_link
from tests.connections.sandbox_flows import XERO_EMAIL, XERO_PASSWORD, ZOHO_EMAIL, ZOHO_PASSWORD

from .portal_setup import WRITE_METHODS, writes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """What a worker does at once after a connection: read the Zoho fields and the Xero reference data."""
    for task in (mapping_tasks.refresh_zoho_metadata, mapping_tasks.refresh_xero_reference_data):
        monkeypatch.setattr(task, "delay", lambda *args, _task=task: _task.run(*args))


@pytest.fixture
def beat(monkeypatch):
    """Beat's dispatcher, with the per-organisation tasks it queues run here and now (no worker in this test)."""
    monkeypatch.setattr(tasks.cron_organisation_task, "apply_async",
                        lambda args=None, kwargs=None, **options: tasks.cron_organisation_task.run(*args, **kwargs))
    return tasks.cron_dispatch_task


def _xero_writes_by_endpoint(sandbox) -> set:
    rows = sandbox.counters().get("xero", {}).get("rows", [])
    return {row["endpoint"] for row in rows if row["method"] in WRITE_METHODS and row["calls"]
            and "connect" not in row["endpoint"] and "token" not in row["endpoint"]}


def test_nothing_is_written_until_start_syncing_and_then_only_that_module_syncs(live_server, sandbox, page,
                                                                                  beat, settings):
    settings.XERO_RATE_LIMIT_PER_WINDOW = 100_000
    sandbox.seed(zoho={"accounts": 4, "products": 3, "invoices": 2}, xero={"contacts": 2, "items": 2, "invoices": 1})
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Organisation name").fill("Initech")
    page.get_by_label("Email address").fill("peter@initech.example")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Password (again)").fill("a-long-enough-passphrase")
    page.get_by_test_id("sign-up").click()
    follow_sign_up_link(page)

    page.get_by_test_id("connect-xero").click()
    if page.get_by_test_id("xero-signin-form").count():
        page.get_by_test_id("xero-email").fill(XERO_EMAIL)
        page.get_by_test_id("xero-password").fill(XERO_PASSWORD)
        page.get_by_test_id("xero-signin").click()
    form = page.get_by_test_id("xero-consent-form")
    boxes = form.locator("input[name=tenant]")
    for index in range(boxes.count()):
        boxes.nth(index).uncheck()
    boxes.nth(0).check()
    page.get_by_test_id("xero-allow").click()
    page.get_by_test_id("save-xero-organisations").click()
    page.get_by_test_id("authorize-zoho").click()
    page.get_by_test_id("zoho-email").fill(ZOHO_EMAIL)
    page.get_by_test_id("zoho-password").fill(ZOHO_PASSWORD)
    page.get_by_test_id("zoho-dc").select_option("eu")
    page.get_by_test_id("zoho-accept").click()
    page.get_by_test_id("onboarding-next").click()
    page.get_by_test_id("accept-terms").click()
    expect(page).to_have_url(re.compile(r"/sync/ready/"))
    expect(page.get_by_test_id("ready-accounts-zoho_to_xero")).to_have_attribute("data-syncing", "no")

    # A cron tick passes: nothing is due, nothing is read or written.
    sandbox.reset_counters()
    sandbox.advance_clock(11 * 60)
    assert beat() == 0
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("nothing-syncs")).to_be_visible()
    expect(page.get_by_test_id("getting-started")).to_be_visible()

    # The admin starts Accounts, Zoho CRM -> Xero; the next tick syncs that module, that way, only.
    page.goto(f"{live_server.url}/sync/ready/")
    page.get_by_test_id("start-accounts-zoho_to_xero").click()
    expect(page.get_by_test_id("ready-accounts-zoho_to_xero")).to_have_attribute("data-syncing", "yes")
    sandbox.advance_clock(11 * 60)
    assert beat() == 1
    assert writes(sandbox, "xero") > 0 and writes(sandbox, "zoho") == 0
    endpoints = _xero_writes_by_endpoint(sandbox)
    assert endpoints and all("Contacts" in endpoint for endpoint in endpoints), endpoints
    xero_organisation = XeroOrganisation.objects.get(selected=True)
    linked = set(xero_organisation.record_links.values_list("module", flat=True))
    assert linked == {"accounts"}
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("getting-started")).to_have_count(0)
    expect(page.get_by_test_id("sync-status-accounts-zoho_to_xero")).to_have_attribute("data-syncing", "yes")
    expect(page.get_by_test_id("sync-status-products-zoho_to_xero")).to_have_attribute("data-syncing", "no")
