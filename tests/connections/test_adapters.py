"""OAuth adapters: endpoints from settings, the Zoho data-centre table and its checks."""

import pytest
from django.utils import timezone

from connections.exceptions import PermanentError
from connections.providers.oauth import parse_token, pkce_pair
from connections.providers.xero.adapter import XeroAdapter, auth_event_id_from
from connections.providers.zoho.adapter import DATA_CENTRES, ZohoAdapter


@pytest.mark.parametrize("location, accounts, api", [
    ("us", "https://accounts.zoho.com", "https://www.zohoapis.com"),
    ("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    ("in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
    ("au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    ("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    ("ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    ("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    ("cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
])
def test_every_zoho_data_centre_has_its_accounts_server_and_api_domain(location, accounts, api, settings):
    settings.ZOHO_ACCOUNTS_URL = "https://accounts.zoho.com"
    settings.ZOHO_API_DOMAIN = ""
    adapter = ZohoAdapter()
    assert adapter.checked_accounts_server(location, accounts) == accounts
    assert adapter.checked_accounts_server(location, "") == accounts
    assert adapter.checked_api_domain(location, api) == api
    assert adapter.token_url(accounts) == f"{accounts}/oauth/v2/token"


def test_an_accounts_server_of_another_data_centre_is_refused(settings):
    settings.ZOHO_ACCOUNTS_URL = "https://accounts.zoho.com"
    with pytest.raises(PermanentError):
        ZohoAdapter().checked_accounts_server("eu", "https://accounts.zoho.com")
    with pytest.raises(PermanentError):
        ZohoAdapter().checked_accounts_server("xx", "https://accounts.zoho.eu")


def test_an_unexpected_api_domain_falls_back_to_the_data_centre_s_own(settings):
    settings.ZOHO_ACCOUNTS_URL = "https://accounts.zoho.com"
    settings.ZOHO_API_DOMAIN = ""
    assert ZohoAdapter().checked_api_domain("eu", "https://evil.example") == DATA_CENTRES["eu"].api_domain


def test_zoho_api_domain_setting_replaces_every_data_centre_s(settings):
    settings.ZOHO_API_DOMAIN = "http://127.0.0.1:8100/zoho/eu/api"
    assert ZohoAdapter().checked_api_domain("au", "https://www.zohoapis.com.au") == settings.ZOHO_API_DOMAIN


def test_the_sandbox_host_is_trusted_for_every_data_centre_when_it_is_the_configured_accounts_url(settings):
    settings.ZOHO_ACCOUNTS_URL = "http://127.0.0.1:8100/zoho/us/accounts"
    settings.ZOHO_API_DOMAIN = ""
    adapter = ZohoAdapter()
    assert adapter.checked_accounts_server("eu", "http://127.0.0.1:8100/zoho/eu/accounts").endswith("/eu/accounts")
    assert adapter.checked_api_domain("eu", "http://127.0.0.1:8100/zoho/eu/api").endswith("/eu/api")
    with pytest.raises(PermanentError):
        adapter.checked_accounts_server("eu", "http://127.0.0.1:9999/zoho/eu/accounts")


def test_xero_endpoints_come_from_settings(settings):
    settings.XERO_LOGIN_URL = "http://sandbox.test/xero/login"
    settings.XERO_IDENTITY_URL = "http://sandbox.test/xero/identity"
    adapter = XeroAdapter()
    assert adapter.authorize_url == "http://sandbox.test/xero/login/identity/connect/authorize"
    assert adapter.token_url == "http://sandbox.test/xero/identity/connect/token"
    assert adapter.revocation_url == "http://sandbox.test/xero/identity/connect/revocation"


def test_pkce_verifier_length_and_parse_token_expiry():
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128 and challenge and "=" not in challenge
    token = parse_token({"access_token": "a", "expires_in": 1800})
    assert 1790 <= (token["expires_at"] - timezone.now()).total_seconds() <= 1800


def test_the_auth_event_id_is_read_from_a_xero_jwt():
    import base64
    import json

    payload = base64.urlsafe_b64encode(json.dumps({"authentication_event_id": "evt-9"}).encode()).decode().rstrip("=")
    assert auth_event_id_from(f"h.{payload}.s") == "evt-9"
    assert auth_event_id_from("opaque-token") == ""
