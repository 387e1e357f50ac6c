"""Issue 14: after Reset Connection, the browser's Back button leads to pages of the organisation that no longer
exists. The reader gets the portal's own translated "Page not found" with a way back to the dashboard, never
Django's technical 404 page (its URL patterns) and never a server error."""

import pytest
import responses
from django.conf import settings as django_settings
from playwright.sync_api import expect

from connections.models import XeroOrganisation
from tests.conftest import PASSWORD
from tests.connections.factories import XeroOrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TECHNICAL_PAGE = ("URLconf", "Traceback", "Django tried these URL patterns", "DEBUG = True", "Server Error")


def _assert_portal_404(page, response, language="en"):
    # Chromium may show the page again from its back/forward cache (no response): then a reload asks the portal.
    if response is None:
        response = page.reload()
    assert response.status == 404, response.url
    expect(page.get_by_test_id("error-404")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == language
    content = page.content()
    assert not [marker for marker in TECHNICAL_PAGE if marker in content], content[:2000]
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") != "none"


@responses.activate
def test_back_after_reset_connection_shows_the_portals_404_with_a_way_back(live_server, page, owner, organisation):
    responses.add_passthru(live_server.url)
    xero = XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")
    responses.delete(f"{django_settings.XERO_CONNECTIONS_URL}/{xero.connection_id}", status=204)
    responses.post(f"{django_settings.XERO_IDENTITY_URL}/connect/revocation", status=200)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("sidebar")).to_be_visible()

    settings_page = f"{live_server.url}/sync/settings/{xero.pk}/"
    assert page.goto(settings_page).status == 200
    page.goto(f"{live_server.url}/connections/")
    page.get_by_test_id("xero-org-row").filter(has_text="Demo Company (AU)").get_by_test_id("reset-xero").click()
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_test_id("confirm-reset").click()
    expect(page.get_by_test_id("xero-org-row")).to_have_count(0)
    assert not XeroOrganisation.objects.exists()

    # Back: the Reset Connection page of the organisation just reset.
    _assert_portal_404(page, page.go_back())
    assert page.url.endswith(f"/connections/xero/{xero.pk}/reset/")
    # Back twice more (the connections page, then the organisation's sync settings).
    page.go_back()
    _assert_portal_404(page, page.go_back())
    assert page.url == settings_page

    # In the reader's language.
    owner.language = "de"
    owner.save(update_fields=["language"])
    _assert_portal_404(page, page.reload(), language="de")
    expect(page.get_by_test_id("page-title")).to_have_text("Seite nicht gefunden")
    owner.language = ""
    owner.save(update_fields=["language"])

    # The way back: the dashboard, signed in, styled.
    page.reload()
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_test_id("sidebar")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") == "rgb(16, 42, 67)"
    assert [call.request.method for call in responses.calls] == ["DELETE", "POST"]  # disconnected, grant revoked
