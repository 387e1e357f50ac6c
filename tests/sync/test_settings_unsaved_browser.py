"""Settings in Chromium: a switch ticked but not saved says so, keeps Update Configuration in view, and leaving the
page asks first (clicking through make run, On Save Sync ticked and left unsaved was simply lost)."""

import pytest
from playwright.sync_api import expect

from sync.models import OrganisationSyncSettings
from tests.conftest import PASSWORD

from .portal_setup import connect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


def test_an_unsaved_switch_is_announced_kept_in_view_and_guarded_until_saved(
        sandbox, owner_client, organisation, owner, settings, live_server, page):
    portal = connect(sandbox, owner_client, organisation, owner, settings)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    url = f"{live_server.url}/sync/settings/{portal.xero_organisation.pk}/"
    page.goto(url)
    notice, button = page.get_by_test_id("unsaved-notice"), page.get_by_test_id("update-configuration")
    expect(notice).to_be_hidden()
    expect(button).not_to_be_in_viewport()  # at the foot of a long page

    page.get_by_test_id("on-save-sync").check()
    expect(notice).to_be_visible()
    expect(button).to_be_in_viewport()  # the button bar sticks to the bottom of the window

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Audit").click()  # dismissed: the page stays, the choice with it
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert page.url == url
    expect(page.get_by_test_id("on-save-sync")).to_be_checked()

    button.click()
    expect(page.get_by_text("The configuration was updated.")).to_be_visible()
    assert OrganisationSyncSettings.objects.get(organisation=organisation).on_save_sync is True
    expect(page.get_by_test_id("unsaved-notice")).to_be_hidden()
    page.get_by_role("link", name="Audit").click()  # nothing unsaved: no question
    expect(page).to_have_url(f"{live_server.url}/audit/")
    assert asked == ["beforeunload"]
