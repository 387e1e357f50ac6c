"""Acceptance 1: in Chromium, map Zoho "Phone" onto Xero "Phones[DEFAULT].PhoneNumber" by drag and drop, by the
keyboard, and in German; save, reload, and see it kept."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from mapping import services
from mapping.defaults import default_mapping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX = "xero-box-Phones[DEFAULT].PhoneNumber"
DROP = "xero-drop-Phones[DEFAULT].PhoneNumber"


@pytest.fixture
def editor(live_server, page, organisation, owner):
    """The accounts editor, signed in as the owner, with Phones[DEFAULT] left unmapped."""
    rules = [
        rule
        for rule in default_mapping("accounts", "zoho_to_xero")["rules"]
        if rule["xero"] != "Phones[DEFAULT].PhoneNumber"
    ]
    services.save_mapping(organisation, "accounts", "zoho_to_xero", rules)
    client = Client()
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    url = live_server.url + reverse("mapping:editor", args=["accounts", "zoho-to-xero"])
    page.goto(url)
    expect(page.get_by_test_id(BOX)).to_be_visible()
    expect(page.get_by_test_id(DROP).locator("[data-field]")).to_have_count(0)
    return url


def drag(page, source, target):
    """A real pointer drag: press on the Zoho field, move in steps to the box, release (as a hand would)."""
    target.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=3)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


def saved_phone_source(organisation):
    rules = services.get_mapping(organisation, "accounts", "zoho_to_xero")["rules"]
    return next((rule.get("zoho") for rule in rules if rule["xero"] == "Phones[DEFAULT].PhoneNumber"), None)


def assert_kept_after_reload(page, url, organisation):
    expect(page.get_by_test_id("messages")).to_be_visible()
    page.goto(url)
    expect(page.get_by_test_id(DROP).locator("[data-field='Phone']")).to_have_count(1)
    expect(page.get_by_test_id(BOX).locator("select[name='zoho:Phones[DEFAULT].PhoneNumber']")).to_have_value(
        "Phone"
    )
    assert saved_phone_source(organisation) == "Phone"


def test_dragging_phone_onto_the_default_phone_box_saves_it(editor, page, organisation):
    drag(page, page.get_by_test_id("zoho-field-Phone"), page.get_by_test_id(DROP))
    expect(page.get_by_test_id(DROP).locator("[data-field='Phone']")).to_have_count(1)
    page.get_by_test_id("save-mapping").click()
    assert_kept_after_reload(page, editor, organisation)


def test_an_incompatible_drop_is_refused_with_a_message(editor, page, organisation):
    drag(page, page.get_by_test_id("zoho-field-Parent_Account"), page.get_by_test_id(DROP))
    expect(page.get_by_test_id(BOX).locator("[data-role=message]")).to_contain_text(
        "cannot fill the Xero field Phones[DEFAULT].PhoneNumber"
    )
    expect(page.get_by_test_id(BOX).locator("select[name='zoho:Phones[DEFAULT].PhoneNumber']")).to_have_value(
        ""
    )


def test_the_keyboard_picks_up_phone_and_drops_it_into_the_box(editor, page, organisation):
    chip = page.get_by_test_id("zoho-field-Phone")
    chip.focus()
    page.keyboard.press("Enter")
    expect(chip).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("drop-here-Phones[DEFAULT].PhoneNumber").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id(DROP).locator("[data-field='Phone']")).to_have_count(1)
    page.get_by_test_id("save-mapping").focus()
    page.keyboard.press("Enter")
    assert_kept_after_reload(page, editor, organisation)


def test_drag_and_drop_works_in_german(editor, page, organisation):
    page.get_by_test_id("language-select").select_option("de")
    page.get_by_test_id("update-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    drag(page, page.get_by_test_id("zoho-field-Phone"), page.get_by_test_id(DROP))
    expect(page.get_by_test_id(DROP).locator("[data-field='Phone']")).to_have_count(1)
    page.get_by_test_id("save-mapping").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_kept_after_reload(page, editor, organisation)
