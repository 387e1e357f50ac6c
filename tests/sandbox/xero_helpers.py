"""Helpers for the Xero emulator tests: the OAuth flow over HTTP (with PKCE) and an API session."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

CLIENT = ("sandbox-xero-client", "sandbox-xero-secret")
REDIRECT_URI = "http://127.0.0.1:8000/connections/xero/callback/"
SCOPES = "offline_access accounting.contacts accounting.settings accounting.invoices accounting.payments"
AU = "0b6e5e3c-7f0a-4b6f-9a55-5c3a2d1e0a01"
UK = "0b6e5e3c-7f0a-4b6f-9a55-5c3a2d1e0b02"


def seed_reference(sandbox, **counts):
    options = {"contacts": 0, "items": 0, "invoices": 0}
    options.update(counts)
    return sandbox.seed(xero=options)


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(sandbox, *, tenants=(AU,), scope=SCOPES, challenge=None, action="allow", state="xyz",
              redirect_uri=REDIRECT_URI):
    """Sign in on the authorize page, tick `tenants` and return the redirect's query (code, state or error)."""
    browser = requests.Session()
    params = {"response_type": "code", "client_id": CLIENT[0], "redirect_uri": redirect_uri, "scope": scope,
              "state": state}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    url = sandbox.url + "/xero/login/identity/connect/authorize"
    page = browser.get(url, params=params, timeout=10)
    assert page.status_code == 200, page.text
    origin = {"Origin": sandbox.url}
    signed = browser.post(page.url, data={"action": "signin", "email": "demo@xero.sandbox", "password": "sandbox"},
                          headers=origin, allow_redirects=False, timeout=10)
    assert signed.status_code == 302, signed.text
    data = {"action": action, "tenant": list(tenants)}
    answer = browser.post(page.url, data=data, headers=origin, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(redirect_uri)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def token_request(sandbox, data, auth=CLIENT):
    return requests.post(sandbox.url + "/xero/identity/connect/token", data=data, auth=auth, timeout=10)


def connect(sandbox, *, tenants=(AU,), scope=SCOPES):
    """The whole flow: returns the token response (access_token, refresh_token, ...)."""
    verifier, challenge = pkce_pair()
    query = authorize(sandbox, tenants=tenants, scope=scope, challenge=challenge)
    response = token_request(sandbox, {"grant_type": "authorization_code", "code": query["code"],
                                       "redirect_uri": REDIRECT_URI, "code_verifier": verifier})
    assert response.status_code == 200, response.text
    return response.json()


class Api:
    """requests against api.xro/2.0 for one tenant."""

    def __init__(self, sandbox, access_token, tenant=AU):
        self.base = sandbox.url + "/xero/api.xro/2.0"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {access_token}", "xero-tenant-id": tenant,
                                     "Accept": "application/json"})

    def get(self, path, **kwargs):
        return self.session.get(f"{self.base}/{path}", timeout=10, **kwargs)

    def put(self, path, payload, **kwargs):
        return self.session.put(f"{self.base}/{path}", json=payload, timeout=10, **kwargs)

    def post(self, path, payload, **kwargs):
        return self.session.post(f"{self.base}/{path}", json=payload, timeout=10, **kwargs)

    def delete(self, path, **kwargs):
        return self.session.delete(f"{self.base}/{path}", timeout=10, **kwargs)


def api_for(sandbox, tenant=AU, **counts):
    seed_reference(sandbox, **counts)
    tokens = connect(sandbox, tenants=(AU, UK))
    return Api(sandbox, tokens["access_token"], tenant)
