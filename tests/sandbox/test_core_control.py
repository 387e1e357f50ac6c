"""The sandbox core over HTTP: clock, configuration, reset and the pages."""

import datetime

import requests


def _now(sandbox):
    return datetime.datetime.fromisoformat(requests.get(sandbox.url + "/_sandbox/clock", timeout=5).json()["now"])


def test_it_moves_the_clock_forward_and_back_to_real_time(sandbox):
    before = _now(sandbox)
    sandbox.advance_clock(3600)
    moved = _now(sandbox)
    assert datetime.timedelta(minutes=59) < moved - before < datetime.timedelta(minutes=61)
    sandbox.reset_clock()
    assert _now(sandbox) - before < datetime.timedelta(minutes=1)


def test_it_refuses_a_clock_request_without_a_number(sandbox):
    response = requests.post(sandbox.url + "/_sandbox/clock", json={"advance": "soon"}, timeout=5)
    assert response.status_code == 400


def test_it_documents_the_default_limits_and_merges_changes(sandbox):
    config = sandbox.config()
    assert config["xero"]["concurrent_limit"] == 5
    assert config["xero"]["minute_limit"] == 60
    assert config["xero"]["day_limit"] == 5000
    assert config["zoho"]["concurrency"] == 10
    changed = sandbox.configure(xero={"minute_limit": 3})
    assert changed["xero"]["minute_limit"] == 3
    assert changed["xero"]["day_limit"] == 5000


def test_it_rejects_unknown_configuration_keys_and_wrong_types(sandbox):
    unknown = requests.post(sandbox.url + "/_sandbox/config", json={"xero": {"minute_limt": 3}}, timeout=5)
    assert unknown.status_code == 400
    assert "minute_limt" in unknown.json()["error"]
    wrong = requests.post(sandbox.url + "/_sandbox/config", json={"xero": {"minute_limit": "many"}}, timeout=5)
    assert wrong.status_code == 400
    assert sandbox.config()["xero"]["minute_limit"] == 60


def test_it_resets_the_clock_and_the_configuration(sandbox):
    sandbox.advance_clock(86400)
    sandbox.configure(xero={"minute_limit": 1})
    sandbox.reset()
    assert sandbox.config()["xero"]["minute_limit"] == 60
    assert requests.get(sandbox.url + "/_sandbox/clock", timeout=5).json()["offset"] == 0


def test_the_home_page_links_both_emulators_and_the_counters(sandbox):
    page = requests.get(sandbox.url + "/", timeout=5)
    assert page.status_code == 200
    for link in ('href="/xero/ui/"', 'href="/zoho/ui/"', 'href="/counters"'):
        assert link in page.text
    assert requests.get(sandbox.url + "/counters", timeout=5).status_code == 200


def test_the_sandbox_sets_no_cookie_of_the_portal(sandbox):
    page = requests.get(sandbox.url + "/", timeout=5)
    assert "syncportal_sessionid" not in page.headers.get("Set-Cookie", "")
    assert "csrftoken" not in page.headers.get("Set-Cookie", "")


def test_the_fixture_points_the_portal_settings_at_the_sandbox(sandbox, settings):
    assert settings.SANDBOX_URL == sandbox.url
    assert settings.XERO_LOGIN_URL == sandbox.url + "/xero/login"
    assert settings.XERO_IDENTITY_URL == sandbox.url + "/xero/identity"
    assert settings.XERO_API_URL == sandbox.url + "/xero/api.xro/2.0"
    assert settings.XERO_CONNECTIONS_URL == sandbox.url + "/xero/connections"
    assert settings.ZOHO_ACCOUNTS_URL == sandbox.url + "/zoho/us/accounts"


def test_each_test_starts_with_an_empty_store_and_real_time(sandbox):
    assert sandbox.counters()["xero"]["total"] == 0
    assert requests.get(sandbox.url + "/_sandbox/clock", timeout=5).json()["offset"] == 0
    assert "Demo Company" not in requests.get(sandbox.url + "/xero/ui/", timeout=5).text
