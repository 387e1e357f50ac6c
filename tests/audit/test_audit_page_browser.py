"""The Audit page in Chromium: htmx swaps the rows when a filter changes and keeps the filters in the URL.
(The full acceptance walk with Resync is tests/audit/test_resync_browser.py.)"""

import re

import pytest
from playwright.sync_api import expect

from audit.models import Status
from tests.audit.factories import days_ago, make_entry
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filters_search_and_paging_update_the_rows_and_the_url(live_server, page, owner, organisation):
    for i in range(12):
        make_entry(organisation, record_name=f"Failing {i:02d}", status=Status.FAILED, created_at=days_ago(i / 24))
    make_entry(organisation, record_name="<b>Fine</b> & dandy", status=Status.SUCCESS, created_at=days_ago(1))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.goto(f"{live_server.url}/audit/")
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(13)
    expect(page.get_by_test_id("audit-rows")).to_contain_text("<b>Fine</b> & dandy")

    page.get_by_label("Status").select_option("failed")
    expect(rows).to_have_count(12)
    expect(page).to_have_url(re.compile(r"status=failed"))

    page.get_by_label("Results per page").select_option("10")
    expect(rows).to_have_count(10)
    page.get_by_test_id("next-page").click()
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"after="))
    expect(page.get_by_label("Status")).to_have_value("failed")  # the form was not swapped away

    page.get_by_label("Search").fill("Failing 07")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Failing(%20|\+)07"))
    page.get_by_test_id("entry-link").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Failing 07")
