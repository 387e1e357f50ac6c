"""Acceptance 1, in Chromium as a new user would: sign up, connect the sandbox Xero choosing two organisations,
authorize the sandbox Zoho in the EU data centre, accept the terms, land on "Ready to sync"; then reset one Xero
organisation and connect it again."""

import re

import pytest
from playwright.sync_api import expect

from connections.models import TermsAcceptance, XeroOrganisation, ZohoConnection
from tests.conftest import follow_sign_up_link
from tests.connections.sandbox_flows import XERO_EMAIL, XERO_PASSWORD, ZOHO_EMAIL, ZOHO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


def _xero_sign_in_and_tick(page, names):
    if page.get_by_test_id("xero-signin-form").count():
        page.get_by_test_id("xero-email").fill(XERO_EMAIL)
        page.get_by_test_id("xero-password").fill(XERO_PASSWORD)
        page.get_by_test_id("xero-signin").click()
    form = page.get_by_test_id("xero-consent-form")
    expect(form).to_be_visible()
    for box in form.locator("input[name=tenant]").all():
        box.uncheck()
    for name in names:
        form.get_by_label(name).check()
    page.get_by_test_id("xero-allow").click()


def test_a_new_user_connects_both_providers_accepts_the_terms_then_resets_and_reconnects(live_server, sandbox, page):
    sandbox.seed(xero={}, zoho={})
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Organisation name").fill("Initech")
    page.get_by_label("Email address").fill("peter@initech.example")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Password (again)").fill("a-long-enough-passphrase")
    page.get_by_test_id("sign-up").click()
    follow_sign_up_link(page)
    expect(page).to_have_url(re.compile(r"/connections/onboarding/$"))

    # 1. Connect Xero, choosing two organisations.
    page.get_by_test_id("connect-xero").click()
    page.wait_for_url(re.compile(r"/xero/login/"))
    if page.get_by_test_id("xero-signin-form").count():
        page.get_by_test_id("xero-email").fill(XERO_EMAIL)
        page.get_by_test_id("xero-password").fill(XERO_PASSWORD)
        page.get_by_test_id("xero-signin").click()
    boxes = page.get_by_test_id("xero-consent-form").locator("input[name=tenant]")
    names = [label.strip() for label in page.get_by_test_id("xero-consent-form").locator("label").all_inner_texts()]
    assert len(names) >= 2
    chosen = names[:2]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_test_id("xero-allow").click()
    expect(page).to_have_url(re.compile(r"/connections/xero/organisations/"))
    page.get_by_test_id("save-xero-organisations").click()
    expect(page).to_have_url(re.compile(r"/connections/onboarding/$"))
    connect = page.get_by_test_id("connect-xero")
    expect(connect).to_be_disabled()
    for name in chosen:
        expect(connect).to_contain_text(name)

    # 2. Authorize Zoho in the EU data centre.
    page.get_by_test_id("authorize-zoho").click()
    page.get_by_test_id("zoho-email").fill(ZOHO_EMAIL)
    page.get_by_test_id("zoho-password").fill(ZOHO_PASSWORD)
    page.get_by_test_id("zoho-dc").select_option("eu")
    page.get_by_test_id("zoho-accept").click()
    expect(page).to_have_url(re.compile(r"/connections/onboarding/$"))
    expect(page.get_by_test_id("authorize-zoho")).to_contain_text("Europe")
    expect(page.get_by_test_id("language-offer")).to_contain_text("Deutsch")

    # 3. Next, accept the terms, land on the "Ready to sync" checklist (nothing syncs until started there).
    page.get_by_test_id("onboarding-next").click()
    page.get_by_test_id("accept-terms").click()
    expect(page).to_have_url(re.compile(r"/sync/ready/"))  # sync redirects to the first organisation's checklist
    assert TermsAcceptance.objects.get().user.email == "peter@initech.example"
    assert ZohoConnection.objects.get().location == "eu"
    assert XeroOrganisation.objects.filter(selected=True).count() == 2

    # Reset one Xero organisation...
    page.goto(f"{live_server.url}/connections/")
    page.get_by_test_id("xero-org-row").filter(has_text=chosen[0]).get_by_test_id("reset-xero").click()
    expect(page.get_by_test_id("reset-consequences")).to_contain_text("links between Zoho and Xero records")
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_test_id("confirm-reset").click()
    expect(page.get_by_test_id("xero-org-row")).to_have_count(1)
    expect(page.get_by_test_id("xero-card")).not_to_contain_text(chosen[0])

    # ...and connect it again.
    page.get_by_test_id("add-xero-organisation").click()
    _xero_sign_in_and_tick(page, [chosen[0]])
    expect(page).to_have_url(re.compile(r"/connections/xero/organisations/"))
    page.get_by_test_id("save-xero-organisations").click()
    expect(page.get_by_test_id("xero-org-row")).to_have_count(2)
    expect(page.get_by_test_id("xero-card")).to_contain_text(chosen[0])
    assert XeroOrganisation.objects.filter(selected=True).count() == 2
