"""OAuth of the Zoho emulator: per data centre, grant codes, the refresh limit, revocation, scopes."""

import pytest
import requests

from tests.sandbox.test_zoho_support import (
    REDIRECT_URI,
    authorize,
    connect,
    exchange,
    refresh,
    seed,
)


@pytest.mark.parametrize("dc", ["us", "eu", "in", "au", "jp", "ca", "sa", "cn"])
def test_it_redirects_with_the_data_centre_and_answers_tokens_with_its_api_domain(sandbox, dc):
    seed(sandbox)
    redirect = authorize(sandbox, dc=dc)
    assert redirect["location"] == dc
    assert redirect["accounts-server"] == f"{sandbox.url}/zoho/{dc}/accounts"
    assert redirect["state"] == "xyz"
    body = exchange(redirect["accounts-server"], redirect["code"]).json()
    assert body["api_domain"] == f"{sandbox.url}/zoho/{dc}/api"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["refresh_token"].startswith("1000.")
    org = requests.get(f"{body['api_domain']}/crm/v8/org",
                       headers={"Authorization": f"Zoho-oauthtoken {body['access_token']}"}, timeout=10)
    assert org.status_code == 200 and org.json()["org"][0]["company_name"]


def test_a_token_call_to_another_data_centre_is_refused(sandbox):
    seed(sandbox)
    redirect = authorize(sandbox, dc="au")
    wrong = exchange(f"{sandbox.url}/zoho/us/accounts", redirect["code"])
    assert wrong.json() == {"error": "invalid_code"}
    assert exchange(redirect["accounts-server"], redirect["code"]).json()["access_token"]


def test_an_access_token_is_refused_by_another_data_centres_api(sandbox):
    seed(sandbox)
    connection = connect(sandbox, dc="eu")
    response = requests.get(f"{sandbox.url}/zoho/us/api/crm/v8/org",
                            headers={"Authorization": f"Zoho-oauthtoken {connection.tokens['access_token']}"},
                            timeout=10)
    assert response.status_code == 401
    assert response.json() == {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token",
                               "status": "error"}


def test_a_grant_code_is_single_use_and_expires_after_two_minutes(sandbox):
    seed(sandbox)
    redirect = authorize(sandbox)
    assert "access_token" in exchange(redirect["accounts-server"], redirect["code"]).json()
    assert exchange(redirect["accounts-server"], redirect["code"]).json() == {"error": "invalid_code"}
    late = authorize(sandbox)
    sandbox.advance_clock(121)
    assert exchange(late["accounts-server"], late["code"]).json() == {"error": "invalid_code"}


def test_without_offline_access_there_is_no_refresh_token(sandbox):
    seed(sandbox)
    redirect = authorize(sandbox, offline=False)
    body = exchange(redirect["accounts-server"], redirect["code"]).json()
    assert "access_token" in body and "refresh_token" not in body


def test_offline_access_gives_a_new_refresh_token_only_on_first_consent_or_with_prompt_consent(sandbox):
    seed(sandbox)
    first = authorize(sandbox, prompt="")
    assert "refresh_token" in exchange(first["accounts-server"], first["code"]).json()
    again = authorize(sandbox, prompt="")
    assert "refresh_token" not in exchange(again["accounts-server"], again["code"]).json()
    forced = authorize(sandbox, prompt="consent")
    assert "refresh_token" in exchange(forced["accounts-server"], forced["code"]).json()


def test_it_refuses_an_unknown_client_secret_and_redirect_uri(sandbox):
    seed(sandbox)
    redirect = authorize(sandbox)
    bad_secret = requests.post(f"{redirect['accounts-server']}/oauth/v2/token", data={
        "grant_type": "authorization_code", "client_id": "sandbox-zoho-client", "client_secret": "nope",
        "redirect_uri": REDIRECT_URI, "code": redirect["code"]}, timeout=10)
    assert bad_secret.json() == {"error": "invalid_client_secret"}
    other_uri = exchange(redirect["accounts-server"], redirect["code"], redirect_uri=REDIRECT_URI + "x")
    assert other_uri.json() == {"error": "invalid_redirect_uri"}


def test_the_authorize_page_refuses_a_redirect_uri_off_the_loopback_host(sandbox):
    seed(sandbox)
    page = requests.get(f"{sandbox.url}/zoho/us/accounts/oauth/v2/auth", params={
        "client_id": "sandbox-zoho-client", "response_type": "code", "scope": "ZohoCRM.modules.ALL",
        "redirect_uri": "https://evil.example.com/connections/zoho/callback/"}, timeout=10)
    assert page.status_code == 400
    port = authorize(sandbox, redirect_uri="http://localhost:9123/connections/zoho/callback/")
    assert port["code"]


def test_cancelling_consent_redirects_with_access_denied(sandbox):
    seed(sandbox)
    assert authorize(sandbox, action="deny") == {"error": "access_denied", "state": "xyz"}


def test_a_wrong_password_stays_on_the_sign_in_page(sandbox):
    seed(sandbox)
    result = authorize(sandbox, password="wrong")
    assert result["_status"] == 400 and "not correct" in result["_text"]


def test_at_most_ten_access_tokens_per_refresh_token_in_ten_minutes(sandbox):
    seed(sandbox)
    connection = connect(sandbox)  # the code exchange issued the first access token
    server, token = connection.accounts_server, connection.tokens["refresh_token"]
    for _ in range(9):
        body = refresh(server, token).json()
        assert body["api_domain"] == connection.api_domain and "refresh_token" not in body
    denied = refresh(server, token)
    assert denied.status_code == 400
    assert denied.json() == {"error": "Access Denied", "error_description": (
        "You have made too many requests continuously. Please try again after some time."), "status": "failure"}
    sandbox.advance_clock(601)
    assert "access_token" in refresh(server, token).json()


def test_access_tokens_expire_after_an_hour(sandbox):
    seed(sandbox)
    connection = connect(sandbox)
    assert connection.get("org").status_code == 200
    sandbox.advance_clock(3601)
    assert connection.get("org").json()["code"] == "INVALID_TOKEN"


def test_revoking_the_refresh_token_invalidates_it_and_its_access_tokens(sandbox):
    seed(sandbox)
    connection = connect(sandbox)
    server, token = connection.accounts_server, connection.tokens["refresh_token"]
    revoked = requests.post(f"{server}/oauth/v2/token/revoke", params={"token": token}, timeout=10)
    assert revoked.status_code == 200
    assert connection.get("org").json()["code"] == "INVALID_TOKEN"
    assert refresh(server, token).json() == {"error": "invalid_code"}


def test_calls_outside_the_granted_scopes_get_oauth_scope_mismatch(sandbox):
    seed(sandbox)
    connection = connect(sandbox, scope="ZohoCRM.modules.accounts.READ,ZohoCRM.org.READ")
    assert connection.get("Accounts", params={"fields": "Account_Name"}).status_code == 200
    for response in (connection.get("Contacts", params={"fields": "Last_Name"}),
                     connection.post("Accounts", json={"data": [{"Account_Name": "X"}]}),
                     connection.get("settings/fields", params={"module": "Accounts"})):
        assert response.status_code == 401
        assert response.json() == {"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "Unauthorized",
                                   "status": "error"}


def test_a_call_without_the_zoho_oauthtoken_header_is_refused(sandbox):
    seed(sandbox)
    connection = connect(sandbox)
    response = requests.get(f"{connection.api_domain}/crm/v8/org",
                            headers={"Authorization": f"Bearer {connection.tokens['access_token']}"}, timeout=10)
    assert response.status_code == 401 and response.json()["code"] == "AUTHENTICATION_FAILURE"
