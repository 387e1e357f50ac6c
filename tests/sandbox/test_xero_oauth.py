"""Xero identity over HTTP: authorize page, PKCE, single-use codes, rotation with the grace window, expiry,
revocation and connections."""

import requests

from .xero_helpers import (
    AU,
    CLIENT,
    REDIRECT_URI,
    UK,
    Api,
    authorize,
    connect,
    pkce_pair,
    seed_reference,
    token_request,
)


def _code(sandbox, **kwargs):
    verifier, challenge = pkce_pair()
    return verifier, authorize(sandbox, challenge=challenge, **kwargs)["code"]


def _exchange(sandbox, code, verifier, auth=CLIENT):
    return token_request(sandbox, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                                   "code_verifier": verifier}, auth=auth)


def _refresh(sandbox, refresh_token):
    return token_request(sandbox, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_the_code_exchange_returns_tokens_that_expire_in_thirty_minutes(sandbox):
    seed_reference(sandbox)
    verifier, code = _code(sandbox)
    response = _exchange(sandbox, code, verifier)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 1800
    assert body["token_type"] == "Bearer"
    assert body["access_token"] and body["refresh_token"]


def test_the_redirect_carries_the_state_and_cancelling_gives_access_denied(sandbox):
    seed_reference(sandbox)
    allowed = authorize(sandbox, state="abc123")
    assert allowed["state"] == "abc123" and allowed["code"]
    cancelled = authorize(sandbox, action="cancel", state="s2")
    assert cancelled == {"error": "access_denied", "state": "s2"}


def test_a_wrong_pkce_verifier_or_a_missing_one_is_refused(sandbox):
    seed_reference(sandbox)
    _verifier, code = _code(sandbox)
    wrong = _exchange(sandbox, code, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    _verifier, code = _code(sandbox)
    missing = token_request(sandbox, {"grant_type": "authorization_code", "code": code,
                                      "redirect_uri": REDIRECT_URI})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_grant"


def test_a_plain_code_challenge_is_refused_on_the_authorize_page(sandbox):
    seed_reference(sandbox)
    response = requests.get(sandbox.url + "/xero/login/identity/connect/authorize", params={
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT_URI, "scope": "offline_access",
        "state": "s", "code_challenge": "abc", "code_challenge_method": "plain"}, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    assert "error=invalid_request" in response.headers["Location"]


def test_a_code_works_once_and_its_reuse_revokes_what_it_issued(sandbox):
    seed_reference(sandbox)
    verifier, code = _code(sandbox)
    first = _exchange(sandbox, code, verifier)
    assert first.status_code == 200
    second = _exchange(sandbox, code, verifier)
    assert second.status_code == 400 and second.json() == {"error": "invalid_grant"}
    api = Api(sandbox, first.json()["access_token"])
    assert api.get("Organisation").status_code == 401


def test_a_code_expires_after_five_minutes(sandbox):
    seed_reference(sandbox)
    verifier, code = _code(sandbox)
    sandbox.advance_clock(301)
    response = _exchange(sandbox, code, verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_the_token_endpoint_authenticates_the_client_by_http_basic_or_by_the_secret_in_the_form(sandbox):
    seed_reference(sandbox)
    verifier, code = _code(sandbox)
    assert _exchange(sandbox, code, verifier, auth=None).json()["error"] == "invalid_client"
    assert _exchange(sandbox, code, verifier, auth=(CLIENT[0], "wrong")).json()["error"] == "invalid_client"
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier}
    posted = {"client_id": CLIENT[0], "client_secret": CLIENT[1]}
    both = token_request(sandbox, {**exchange, **posted})  # Basic and the form at once (RFC 6749 §2.3)
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"
    wrong = token_request(sandbox, {**exchange, **posted, "client_secret": "wrong"}, auth=None)
    assert wrong.json()["error"] == "invalid_client"
    tokens = token_request(sandbox, {**exchange, **posted}, auth=None)  # client_secret_post, as xero-python
    assert tokens.status_code == 200, tokens.text
    refreshed = token_request(sandbox, {"grant_type": "refresh_token", "refresh_token": tokens.json()["refresh_token"],
                                        **posted}, auth=None)
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != tokens.json()["refresh_token"]


def test_an_unregistered_redirect_uri_shows_an_error_page_without_redirecting(sandbox):
    response = requests.get(sandbox.url + "/xero/login/identity/connect/authorize", params={
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": "https://evil.example/connections/xero/callback/",
        "scope": "offline_access", "state": "s"}, allow_redirects=False, timeout=5)
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_broad_scopes_are_refused_for_an_app_created_after_march_2026(sandbox):
    seed_reference(sandbox)
    response = requests.get(sandbox.url + "/xero/login/identity/connect/authorize", params={
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT_URI,
        "scope": "offline_access accounting.transactions", "state": "s"}, allow_redirects=False, timeout=5)
    assert "error=invalid_scope" in response.headers["Location"]


def test_every_refresh_rotates_the_refresh_token_and_the_old_one_stops_working_after_the_grace_window(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox)
    rotated = _refresh(sandbox, tokens["refresh_token"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert new["access_token"] != tokens["access_token"]
    sandbox.advance_clock(1801)
    stale = _refresh(sandbox, tokens["refresh_token"])
    assert stale.status_code == 400 and stale.json() == {"error": "invalid_grant"}
    assert _refresh(sandbox, new["refresh_token"]).status_code == 200


def test_a_retry_with_the_old_refresh_token_inside_the_grace_window_works_once(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox)
    lost = _refresh(sandbox, tokens["refresh_token"]).json()  # the client never saw this response
    sandbox.advance_clock(20 * 60)
    retry = _refresh(sandbox, tokens["refresh_token"])
    assert retry.status_code == 200
    replacement = retry.json()["refresh_token"]
    assert _refresh(sandbox, lost["refresh_token"]).json() == {"error": "invalid_grant"}
    assert _refresh(sandbox, replacement).status_code == 200
    assert _refresh(sandbox, tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_an_access_token_expires_after_thirty_minutes_with_a_401(sandbox):
    seed_reference(sandbox)
    api = Api(sandbox, connect(sandbox)["access_token"])
    assert api.get("Organisation").status_code == 200
    sandbox.advance_clock(1800)
    response = api.get("Organisation")
    assert response.status_code == 401
    assert response.json()["Detail"].startswith("TokenExpired")


def test_revocation_ends_the_tokens_and_removes_the_users_connections(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox, tenants=(AU, UK))
    response = requests.post(sandbox.url + "/xero/identity/connect/revocation",
                             data={"token": tokens["refresh_token"]}, auth=CLIENT, timeout=5)
    assert response.status_code == 200
    assert _refresh(sandbox, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    assert Api(sandbox, tokens["access_token"]).get("Organisation").status_code == 401
    fresh = connect(sandbox, tenants=(UK,))
    listed = requests.get(sandbox.url + "/xero/connections", timeout=5,
                          headers={"Authorization": f"Bearer {fresh['access_token']}"}).json()
    assert [c["tenantId"] for c in listed] == [UK]


def test_connections_list_the_ticked_organisations_and_delete_disconnects_one(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox, tenants=(AU, UK))
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    listed = requests.get(sandbox.url + "/xero/connections", headers=headers, timeout=5).json()
    assert {c["tenantId"] for c in listed} == {AU, UK}
    assert {c["tenantName"] for c in listed} == {"Demo Company (AU)", "Demo Company (UK)"}
    assert all(c["tenantType"] == "ORGANISATION" and c["authEventId"] for c in listed)
    uk = next(c for c in listed if c["tenantId"] == UK)
    removed = requests.delete(f"{sandbox.url}/xero/connections/{uk['id']}", headers=headers, timeout=5)
    assert removed.status_code == 204 and "Content-Type" not in removed.headers
    assert requests.delete(f"{sandbox.url}/xero/connections/{uk['id']}", headers=headers, timeout=5).status_code == 404
    assert Api(sandbox, tokens["access_token"], UK).get("Organisation").status_code == 403
    assert Api(sandbox, tokens["access_token"], AU).get("Organisation").status_code == 200


def test_a_missing_wrong_or_unconnected_tenant_id_gives_403(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox, tenants=(AU,))
    for tenant in ("", "not-a-uuid", "00000000-0000-0000-0000-000000000000", UK):
        response = Api(sandbox, tokens["access_token"], tenant).get("Contacts")
        assert response.status_code == 403, tenant
        assert response.json()["Detail"] == "AuthenticationUnsuccessful"


def test_a_missing_or_unknown_bearer_token_gives_401(sandbox):
    seed_reference(sandbox)
    assert requests.get(sandbox.url + "/xero/api.xro/2.0/Contacts", headers={"xero-tenant-id": AU},
                        timeout=5).status_code == 401
    assert Api(sandbox, "nonsense").get("Contacts").status_code == 401


def test_a_token_without_the_scope_of_an_endpoint_is_refused(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox, scope="offline_access accounting.contacts.read")
    api = Api(sandbox, tokens["access_token"])
    assert api.get("Contacts").status_code == 200
    assert api.put("Contacts", {"Contacts": [{"Name": "X"}]}).status_code == 401
    assert api.get("Invoices").status_code == 401
