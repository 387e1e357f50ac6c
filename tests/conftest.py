"""The tenancy cast (owner, member, outsider) and the browser fixtures shared by every test module."""

import os
import re
import shutil

import pytest

from tenancy.models import Role
from tests.factories import MembershipFactory, OrganisationFactory

pytest_plugins = ["sandbox.testing", "tests.stack", "tests.network_guard", "tests.traffic_check"]

PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 45_000  # for every action and `expect` of the browser tests
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls it makes are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _no_throttle_counts():
    """Sign-in and sign-up counts (tenancy/throttle.py) do not carry over from one test to the next."""
    from django.core.cache import caches

    caches["throttle"].clear()
    yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Acme Pty Ltd")


@pytest.fixture
def owner(organisation):
    return MembershipFactory(organisation=organisation, role=Role.OWNER).user


@pytest.fixture
def read_only_member(organisation):
    return MembershipFactory(organisation=organisation, role=Role.READ_ONLY).user


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Globex GmbH")


@pytest.fixture
def outsider(other_organisation):
    """A member of another organisation: must see none of `organisation`'s objects."""
    return MembershipFactory(organisation=other_organisation, role=Role.OWNER).user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or bool(shutil.which("chromium"))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing Chromium fails under CI=true, else skips loudly."""
    if not _chromium_available():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": browser tests are required in CI.")
        pytest.skip(message + ": BROWSER TEST SKIPPED.")
    from playwright.sync_api import expect, sync_playwright

    # Deadlines, not delays: every wait returns as soon as its condition holds, so they can be generous for a
    # machine whose two cores are busy (Playwright's defaults: 30 s for actions, 5 s for `expect`).
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def follow_sign_up_link(page):
    """After submitting the sign-up form in the browser: the "check your email" page, then the confirmation link
    of the email (the test email backend keeps it in django.core.mail.outbox)."""
    from django.core import mail
    from playwright.sync_api import expect

    expect(page.get_by_test_id("sign-up-sent")).to_be_visible()
    link = re.search(r"https?://\S+/signup/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
