"""Issue 9: a new user's whole journey in Chromium, clicking through the portal and the sandbox as a person would.

Sign up, sign out and in again with the email in another case; connect Xero (two organisations; an empty choice
is refused with a reason) and Zoho; accept the terms; map a Zoho field onto Xero by drag and drop; on "Ready to
sync", start Accounts and Products towards Xero (nothing was written before) and turn on On Save Sync; run a
historical sync, watch its progress bar reach 100 % and read its summary; edit an account in the sandbox's Zoho
CRM and see the edit in the sandbox's Xero; find the failed product in the audit log, filtered to one Xero
organisation, fix its cause and resync it; reset one Xero connection; switch the interface to German.

Each major step saves a screenshot. With SCREENSHOTS=1 (`make screenshots`) the walk runs against the real `make
run` stack (scripts/run_all.py on free ports, SQLite, the filesystem broker, its own worker and Beat: tests/stack.py)
and the screenshots go to docs/screenshots/ (what the README's tour shows, committed); otherwise it runs against the
test's live server and they go to the test's temporary directory, so `make test` never changes the tree.
SCREENSHOTS_DIR overrides the folder; JOURNEY_STACK=1 runs against the stack without writing docs/.

Tasks really run: with PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL) a Celery worker subprocess
consumes every queue; on SQLite in memory (which no other process can open) the queued tasks run at once in the
process that queued them, as in tests/sync."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit import tasks as audit_tasks
from mapping import tasks as mapping_tasks
from sandbox.testing import Sandbox
from sandbox.xero.models import Contact as XeroContact
from sandbox.xero.seed import USER_EMAIL as XERO_EMAIL
from sandbox.xero.seed import USER_PASSWORD as XERO_PASSWORD
from sandbox.zoho.models import Record as ZohoRecord
from sandbox.zoho.seed import SIGN_IN_EMAIL as ZOHO_EMAIL
from sandbox.zoho.seed import SIGN_IN_PASSWORD as ZOHO_PASSWORD
from sync.triggers import tasks as trigger_tasks
from tests.conftest import follow_sign_up_link
from tests.sync.workers import Worker, real_services, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "a-long-enough-passphrase"
EAGER_TASKS = (trigger_tasks.historical_plan_task, trigger_tasks.historical_run_task,
               trigger_tasks.zoho_changed_task, trigger_tasks.xero_changed_task,
               audit_tasks.resync_entry_task, mapping_tasks.refresh_zoho_metadata,
               mapping_tasks.refresh_xero_reference_data)


def screenshot_dir(tmp_path) -> Path:
    if os.environ.get("SCREENSHOTS_DIR"):
        return Path(os.environ["SCREENSHOTS_DIR"])
    if os.environ.get("SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path / "screenshots"


@pytest.fixture
def shoot(page, tmp_path):
    directory = screenshot_dir(tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    taken = []

    def shoot(name: str) -> None:
        page.wait_for_load_state("networkidle")
        path = directory / f"{name}.png"
        page.screenshot(path=str(path))
        taken.append(path)

    shoot.taken = taken
    return shoot


@pytest.fixture
def tasks_run(sandbox, live_server, settings, monkeypatch):
    """Queued tasks run: a worker subprocess (PostgreSQL + Redis), or at once where they are queued (SQLite)."""
    settings.PORTAL_BASE_URL = live_server.url
    worker = None
    if real_services():
        worker = Worker("journey").start()
    else:
        sandbox.configure(xero={"webhooks_enabled": False})  # one request at a time on SQLite's shared connection
        for task in EAGER_TASKS:
            monkeypatch.setattr(task, "apply_async",
                                lambda args=None, kwargs=None, _task=task, **options: _task.apply(args, kwargs))
    yield worker
    if worker is not None:
        worker.stop()


SEED = {"xero": {"contacts": 0, "items": 0, "invoices": 0}, "zoho": {"accounts": 6, "products": 5, "invoices": 0}}


@dataclass
class Target:
    portal: str  # the portal's URL
    sandbox: Sandbox  # the emulators' control client (sandbox.url: their web UI)
    live: bool  # the test's live server (its sandbox's store is readable here), or the `make run` stack
    stack: object = None

    def follow_sign_up_link(self, page):
        """The confirmation link of the sign-up email: the test's outbox, or the stack's console (its default
        email backend prints the message)."""
        if self.live:
            follow_sign_up_link(page)
            return
        expect(page.get_by_test_id("sign-up-sent")).to_be_visible()
        page.goto(self.stack.wait_for_log(r"https?://\S+/signup/confirm/\S+/").group(0))


def on_stack() -> bool:
    return os.environ.get("SCREENSHOTS") == "1" or os.environ.get("JOURNEY_STACK") == "1"


@pytest.fixture
def target(request):
    if on_stack():
        stack = request.getfixturevalue("run_all_stack")
        counts = [f"--{name}={n}" for name, n in SEED["zoho"].items()]
        counts += [f"--xero-{name}={n}" for name, n in SEED["xero"].items()]
        stack.manage("sandbox", "reset")  # `make run` seeded its default data: the walk starts from its own
        stack.manage("sandbox", "seed", *counts, "--no-demo-failures")  # its own small world, as on the live server
        return Target(portal=stack.url, sandbox=Sandbox(stack.sandbox_url), live=False, stack=stack)
    sandbox = request.getfixturevalue("sandbox")
    live_server = request.getfixturevalue("live_server")
    request.getfixturevalue("tasks_run")
    sandbox.seed(**SEED)
    return Target(portal=live_server.url, sandbox=sandbox, live=True)


def drag(page, source, target):
    """A real pointer drag: press on the chip, move in steps to the box, release."""
    target.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=3)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


def test_a_new_user_walks_through_the_whole_journey(target, page, shoot):
    portal, sandbox = target.portal, target.sandbox
    slow = 1 if target.live else 3  # the stack's worker and Beat share this machine with the browser
    page.set_viewport_size({"width": 1280, "height": 800})

    # 1. Sign up.
    page.goto(f"{portal}/signup/")
    page.get_by_label("Organisation name").fill("Initech")
    page.get_by_label("Email address").fill("peter@initech.example")
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Password (again)").fill(PASSPHRASE)
    shoot("01-sign-up")
    page.get_by_test_id("sign-up").click()
    target.follow_sign_up_link(page)
    expect(page).to_have_url(re.compile(r"/connections/onboarding/$"))
    # Sign out, and in again with the email address typed in another case.
    page.get_by_test_id("sign-out").click()
    page.goto(f"{portal}/login/")
    page.get_by_label("Email address").fill("Peter@Initech.EXAMPLE")
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    page.goto(f"{portal}/connections/onboarding/")

    # 2. Connect Xero, choosing two organisations on Xero's consent page.
    page.get_by_test_id("connect-xero").click()
    page.get_by_test_id("xero-email").fill(XERO_EMAIL)
    page.get_by_test_id("xero-password").fill(XERO_PASSWORD)
    page.get_by_test_id("xero-signin").click()
    consent = page.get_by_test_id("xero-consent-form")
    boxes = consent.locator("input[name=tenant]")
    expect(boxes.first).to_be_visible()
    assert boxes.count() >= 2
    names = [label.strip() for label in consent.locator("label").all_inner_texts()][:2]
    for index in range(boxes.count()):
        boxes.nth(index).set_checked(index < 2)
    shoot("02-xero-two-organisations")
    page.get_by_test_id("xero-allow").click()
    expect(page).to_have_url(re.compile(r"/connections/xero/organisations/"))
    # An empty choice is refused with a reason (each tick saves at once); the choice is then made again.
    choice = page.get_by_test_id("xero-organisations-form")

    def tick(name, on):
        with page.expect_response(lambda r: "/xero/organisations/" in r.url and r.request.method == "POST",
                                  timeout=30_000):
            choice.get_by_label(name).set_checked(on)

    tick(names[0], False)
    expect(page.get_by_test_id("xero-organisations-saved")).to_be_visible()
    tick(names[1], False)
    expect(page.get_by_test_id("xero-organisations-error")).to_contain_text("Choose at least one Xero organisation")
    tick(names[0], True)
    tick(names[1], True)
    expect(page.get_by_test_id("xero-organisations-saved")).to_be_visible()
    page.get_by_test_id("save-xero-organisations").click()
    expect(page).to_have_url(re.compile(r"/connections/onboarding/$"))
    connect_xero = page.get_by_test_id("connect-xero")
    for name in names:
        expect(connect_xero).to_contain_text(name)

    # 3. Authorize Zoho CRM (its data centre chosen on Zoho's page).
    page.get_by_test_id("authorize-zoho").click()
    page.get_by_test_id("zoho-email").fill(ZOHO_EMAIL)
    page.get_by_test_id("zoho-password").fill(ZOHO_PASSWORD)
    page.get_by_test_id("zoho-dc").select_option("eu")
    page.get_by_test_id("zoho-accept").click()
    expect(page).to_have_url(re.compile(r"/connections/onboarding/$"))
    expect(page.get_by_test_id("authorize-zoho")).to_contain_text("Europe")
    expect(page.get_by_test_id("step-xero")).to_have_css("list-style-type", "none")  # numbered once, by its title
    shoot("03-connected")

    # 4. Accept the terms.
    page.get_by_test_id("onboarding-next").click()
    expect(page.get_by_test_id("accept-terms")).to_be_visible()
    page.get_by_test_id("accept-terms").click()
    expect(page).to_have_url(re.compile(r"/sync/ready/"))  # the checklist: nothing syncs until started
    expect(page.get_by_test_id("ready-accounts-zoho_to_xero")).to_have_attribute("data-syncing", "no")

    # 5. Mapping: drag the Zoho custom field "Tax Number" onto Xero's "Tax number" for Accounts.
    page.get_by_test_id("sidebar").get_by_role("link", name="Mapping").click()
    page.get_by_test_id("edit-accounts-zoho-to-xero").click()
    chip = page.get_by_test_id("zoho-field-Tax_Number")  # a custom field: the portal read Zoho's fields
    wait_for(lambda: page.reload() or chip.count(), timeout=15 * slow, message="Zoho's fields, read after connecting")
    expect(chip).to_contain_text("custom")
    drop = page.get_by_test_id("xero-drop-TaxNumber")
    expect(drop.locator("[data-field]")).to_have_count(0)
    drag(page, chip, drop)
    expect(drop.locator("[data-field='Tax_Number']")).to_have_count(1)
    shoot("04-mapping-drag-and-drop")
    page.get_by_test_id("save-mapping").click()
    expect(page.get_by_test_id("messages")).to_be_visible()
    expect(page.get_by_test_id("xero-box-TaxNumber").locator("select[name='zoho:TaxNumber']")).to_have_value(
        "Tax_Number")

    # 6. Ready to sync (first Xero organisation): the mapping reviewed, Accounts and Products started towards
    # Xero (with Cron Sync); then On Save Sync on Settings.
    page.get_by_test_id("sidebar").get_by_role("link", name="Ready to sync").click()
    expect(page.get_by_test_id("ready-checklist")).to_be_visible()
    if page.get_by_test_id("xero-organisation-tabs").count():
        tab = page.get_by_test_id("xero-organisation-tabs").get_by_role("link", name=names[0])
        if tab.count():
            tab.click()
    page.get_by_test_id("mark-mapping-reviewed").click()
    expect(page.get_by_test_id("check-mapping")).to_have_attribute("data-done", "yes")
    for module in ("accounts", "products"):
        page.get_by_test_id(f"start-{module}-zoho_to_xero").click()
        expect(page.get_by_test_id(f"ready-{module}-zoho_to_xero")).to_have_attribute("data-syncing", "yes")
    expect(page.get_by_test_id("ready-accounts-xero_to_zoho")).to_have_attribute("data-syncing", "no")
    shoot("05-ready-to-sync")
    page.get_by_test_id("sidebar").get_by_role("link", name="Settings").click()
    page.get_by_test_id("xero-organisation-tabs").get_by_role("link", name=names[0]).click()
    page.get_by_test_id("on-save-sync").check()
    assert page.get_by_test_id("on-save-sync").bounding_box()["width"] < 40  # a box beside its label, not a row
    page.get_by_test_id("update-configuration").click()
    expect(page.get_by_text("The configuration was updated.")).to_be_visible()
    expect(page.get_by_test_id("on-save-sync")).to_be_checked()
    expect(page.get_by_test_id("accounts-cron")).to_be_checked()

    # 7. Historical sync of accounts and products into the first organisation: the bar reaches 100 %.
    page.get_by_test_id("sidebar").get_by_role("link", name="Historical Sync").click()
    page.get_by_test_id("xero-organisation").select_option(label=names[0])
    page.get_by_test_id("module-accounts").check()
    page.get_by_test_id("module-products").check()
    page.get_by_test_id("dry-run").click()
    expect(page.get_by_test_id("dry-run-accounts-create")).to_have_text("6", timeout=20_000 * slow)
    page.get_by_test_id("start-job").click()
    expect(page.get_by_test_id("progress-text")).to_contain_text("(100 %)", timeout=60_000 * slow)
    expect(page.get_by_test_id("historical-job")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("progress-failures")).to_have_text("5 failures")  # the taxes are not mapped yet
    bar = page.get_by_test_id("progress-bar")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "11"
    assert bar.bounding_box()["width"] > 400  # the width of its card, not the browser's 150 pixels
    expect(page.get_by_test_id("pause-job")).to_have_count(0)
    expect(page.get_by_test_id("time-left")).to_have_count(0)
    # The job's summary: what it wrote per module and action, linked to those audit entries.
    summary = page.get_by_test_id("job-summary")
    expect(summary.get_by_test_id("summary-accounts-create-success")).to_contain_text("6")
    expect(summary.get_by_test_id("summary-products-create-failed")).to_contain_text("5")
    shoot("06-historical-sync")
    summary.get_by_test_id("summary-accounts-create-success").get_by_test_id("summary-link").click()
    expect(page.get_by_test_id("audit-row")).to_have_count(6)
    expect(page.get_by_label("Xero organisation")).to_have_value(re.compile(".+"))

    # 8. Edit an account in the sandbox's Zoho CRM; On Save Sync carries the edit to Xero.
    page.goto(f"{sandbox.url}/zoho/ui/")
    page.get_by_test_id("zoho-module-Accounts").click()
    page.get_by_test_id("zoho-records").locator("tr td a").first.click()
    page.locator("input[name='Account_Name']").fill("Kakadu Outfitters Pty Ltd")
    shoot("07-edit-in-zoho")
    page.get_by_test_id("zoho-save").click()
    expect(page.get_by_test_id("zoho-saved")).to_be_visible()

    page.goto(f"{sandbox.url}/xero/ui/")
    page.locator("tr", has_text=names[0]).get_by_role("link").first.click()
    rows = page.get_by_test_id("xero-contact-row")

    def arrived():
        page.reload()
        return rows.filter(has_text="Kakadu Outfitters Pty Ltd").count() == 1

    wait_for(arrived, timeout=10 * slow, interval=0.5, message="the Zoho edit to reach Xero")
    expect(rows).to_have_count(6)  # updated, not added
    shoot("08-synced-to-xero")
    if target.live:  # the test's own sandbox store (the stack's is another process's file)
        zoho_tax_numbers = {record.data["Tax_Number"] for record in ZohoRecord.objects.filter(module="Accounts")
                            if record.data.get("Tax_Number")}
        xero_tax_numbers = {contact.data.get("TaxNumber") for contact in XeroContact.objects.filter(
            organisation__name=names[0])} - {None}
        assert zoho_tax_numbers and xero_tax_numbers == zoho_tax_numbers  # what the dragged mapping carried

    # 9. Find a failure in the audit log: the products failed for an unmapped tax.
    page.goto(f"{portal}/audit/")
    page.get_by_label("Xero organisation").select_option(label=names[0])
    page.get_by_label("Status").select_option(label="Failed")
    page.get_by_label("Search").fill("Laptop stand")
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("row-status")).to_have_text("Failed")
    expect(rows.first.get_by_test_id("row-xero-organisation")).to_have_text(names[0])
    expect(page).to_have_url(re.compile(r"xero="))
    shoot("09-audit-failure")
    expect(rows.first).to_contain_text("The Zoho tax Zero Rated has no Xero tax rate.")
    module_cell = rows.first.locator("td").nth(1)
    expect(module_cell).to_have_text("Products")
    assert module_cell.evaluate("cell => { const r = document.createRange(); r.selectNodeContents(cell);"
                                " return r.getClientRects().length; }") == 1  # on one line, not "Product|s"

    # 10. Fix the cause: map the Zoho taxes to Xero tax rates (the page suggests rates of the same percentage).
    page.get_by_test_id("sidebar").get_by_role("link", name="Mapping").click()
    page.get_by_test_id("nav-taxes").click()
    expect(page.get_by_test_id("tax-row-Zero Rated")).to_contain_text("0 %")  # read after connecting
    shoot("10-fix-tax-mapping")
    page.get_by_test_id("save-taxes").click()
    expect(page.get_by_test_id("messages")).to_be_visible()
    page.get_by_test_id("sidebar").get_by_role("link", name="Audit").click()
    page.get_by_label("Status").select_option(label="Failed")
    page.get_by_label("Search").fill("Laptop stand")
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("resync").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Resync of Laptop stand queued.")
    expect(page).to_have_url(re.compile(r"q=Laptop"))  # back on the search, without the status filter that
    expect(page.get_by_label("Status")).to_have_value("")  # would hide the new entry
    expect(rows).to_have_count(2, timeout=30_000 * slow)  # at once (eager) or by the htmx polling (worker)
    expect(rows.first.get_by_test_id("row-status")).to_have_text("Success")
    expect(rows.first.get_by_test_id("resync-of-link")).to_be_visible()
    expect(rows.nth(1).get_by_test_id("row-status")).to_have_text("Failed")
    shoot("11-resync-success")
    page.goto(f"{sandbox.url}/xero/ui/")
    page.locator("tr", has_text=names[0]).get_by_role("link").nth(1).click()  # the organisation's items
    expect(page.locator("table")).to_contain_text("Laptop stand")

    # 11. The dashboard says when the historical sync ran; reset the second Xero organisation's connection.
    page.goto(f"{portal}/")
    expect(page.get_by_test_id("getting-started")).to_have_count(0)
    first_status = page.get_by_test_id("sync-status").filter(has_text=names[0])
    expect(first_status.get_by_test_id("last-historical")).not_to_contain_text("Never")
    page.get_by_test_id("sidebar").get_by_role("link", name="Connections").click()
    page.get_by_test_id("xero-org-row").filter(has_text=names[1]).get_by_test_id("reset-xero").click()
    expect(page.get_by_test_id("reset-consequences")).to_be_visible()
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_test_id("confirm-reset").click()
    expect(page.get_by_test_id("messages")).to_contain_text(f"{names[1]} was disconnected")
    expect(page.get_by_test_id("xero-org-row")).to_have_count(1)
    expect(page.get_by_test_id("xero-card")).not_to_contain_text(names[1])
    shoot("12-reset-connection")

    # 12. Switch the language to German.
    page.get_by_test_id("language-select").select_option("de")
    page.get_by_test_id("update-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_test_id("sidebar")).to_contain_text("Verbindungen")
    expect(page.get_by_test_id("page-title")).to_have_text("Verbindungen")
    shoot("13-deutsch")
    assert [path.name for path in shoot.taken] == sorted(path.name for path in shoot.taken)
    assert all(path.stat().st_size > 10_000 for path in shoot.taken)
