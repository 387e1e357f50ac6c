"""Helpers that walk the portal's OAuth flows against the sandbox over HTTP (no browser)."""

import re
from urllib.parse import parse_qs, urlsplit

import requests
from django.urls import reverse

from connections.models import ZohoConnection
from sandbox.xero.seed import USER_EMAIL as XERO_EMAIL  # noqa: F401 (the seeded sign-ins)
from sandbox.xero.seed import USER_PASSWORD as XERO_PASSWORD  # noqa: F401
from sandbox.zoho.seed import SIGN_IN_EMAIL as ZOHO_EMAIL
from sandbox.zoho.seed import SIGN_IN_PASSWORD as ZOHO_PASSWORD

PORTAL_HOST = "127.0.0.1:8000"  # a loopback host: the emulators accept it as a redirect URI (any port)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def connect_zoho(client, *, dc="eu") -> ZohoConnection:
    start = client.post(reverse("connections:zoho_connect"), {"next": "onboarding"}, HTTP_HOST=PORTAL_HOST)
    authorize_url = start["Location"]
    form = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    assert requests.get(authorize_url, timeout=10).status_code == 200
    consent = requests.post(authorize_url.split("?")[0], data={**form, "email": ZOHO_EMAIL, "password": ZOHO_PASSWORD,
                                                               "dc": dc, "action": "accept"},
                            headers={"Origin": _origin(authorize_url)}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text[:500]
    callback = urlsplit(consent.headers["Location"])
    assert callback.path == reverse("connections:zoho_callback")
    response = client.get(f"{callback.path}?{callback.query}", HTTP_HOST=PORTAL_HOST)
    assert response.status_code == 302
    return ZohoConnection.objects.get()


def xero_consent(authorize_url: str, *, email: str, password: str, tenants: int | list[str] = 1,
                 session: requests.Session | None = None) -> str:
    """Sign in on the Xero emulator, tick organisations (the first `tenants`, or those names), allow.
    Returns the callback URL the emulator redirects to."""
    http = session or requests.Session()
    headers = {"Origin": _origin(authorize_url)}
    page = http.get(authorize_url, timeout=10)
    if 'data-testid="xero-signin-form"' in page.text:
        signed_in = http.post(authorize_url, data={"action": "signin", "email": email, "password": password},
                              headers=headers, allow_redirects=False, timeout=10)
        assert signed_in.status_code == 302, signed_in.text[:500]
        page = http.get(authorize_url, timeout=10)
    options = re.findall(r'<input type="checkbox" name="tenant" value="([^"]+)"[^>]*> ([^<]+)</label>', page.text)
    assert options, page.text[:1000]
    if isinstance(tenants, int):
        chosen = [value for value, _name in options[:tenants]]
    else:
        chosen = [value for value, name in options if name.strip() in tenants]
    allowed = http.post(authorize_url, data={"action": "allow", "tenant": chosen}, headers=headers,
                        allow_redirects=False, timeout=10)
    assert allowed.status_code == 302, allowed.text[:500]
    return allowed.headers["Location"]


def connect_xero(client, *, email: str, password: str, tenants: int | list[str] = 1, session=None) -> list:
    """Connect Xero through the portal and pick every organisation the consent shared. Returns their names."""
    start = client.post(reverse("connections:xero_connect"), {"next": "index"}, HTTP_HOST=PORTAL_HOST)
    callback = urlsplit(xero_consent(start["Location"], email=email, password=password, tenants=tenants,
                                     session=session))
    assert callback.path == reverse("connections:xero_callback")
    response = client.get(f"{callback.path}?{callback.query}", HTTP_HOST=PORTAL_HOST)
    assert response.status_code == 302 and reverse("connections:xero_organisations") in response["Location"], (
        response.status_code, response.get("Location"))
    added = parse_qs(urlsplit(response["Location"]).query)["added"][0].split(",")
    client.post(reverse("connections:xero_organisations"), {"organisations": added, "next": "index"},
                HTTP_HOST=PORTAL_HOST)
    return added
