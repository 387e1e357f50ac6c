"""A new user signs up, signs out and in again, and switches the shell to German, then French."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import follow_sign_up_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_sign_in_and_switch_the_shell_to_german_then_french(live_server, page):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Organisation name").fill("Initech")
    page.get_by_label("Email address").fill("peter@initech.example")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Password (again)").fill("a-long-enough-passphrase")
    page.get_by_test_id("sign-up").click()
    follow_sign_up_link(page)
    expect(page.get_by_test_id("sidebar")).to_be_visible()

    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Email address").fill("peter@initech.example")
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("sidebar")).to_contain_text("Dashboard")

    page.get_by_test_id("language-select").select_option("de")
    page.get_by_test_id("update-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).to_contain_text("Verbindungen")
    expect(sidebar).to_contain_text("Einstellungen")
    expect(page.get_by_test_id("update-language")).to_have_text("Sprache aktualisieren")

    page.get_by_test_id("language-select").select_option("fr")
    page.get_by_test_id("update-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("sidebar")).to_contain_text("Tableau de bord")
    expect(page.get_by_test_id("update-language")).to_have_text("Mettre à jour la langue")

    # The choice is stored on the user: it survives signing out and in again.
    page.get_by_test_id("sign-out").click()
    page.get_by_label(re.compile("Adresse e-mail")).fill("peter@initech.example")
    page.get_by_label(re.compile("^Mot de passe")).fill("a-long-enough-passphrase")
    page.get_by_test_id("sign-in").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
