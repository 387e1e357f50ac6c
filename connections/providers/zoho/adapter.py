"""Zoho's OAuth 2.0 endpoints per data centre, computed from settings.

Sign-in starts at settings.ZOHO_ACCOUNTS_URL (the US accounts server, with Multi-DC enabled); Zoho's
redirect names the user's data centre (`location`) and its `accounts-server`, and every later token
call goes there. The token response's `api_domain` is the CRM API host (settings.ZOHO_API_DOMAIN, when
set, replaces it for every data centre). Callback values are checked against the table below, so a
forged `accounts-server` can never receive our client secret.
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ...exceptions import PermanentError, TransientError
from ..http import RETRYABLE_ERRORS, new_session
from ..oauth import post_token


@dataclass(frozen=True)
class DataCentre:
    location: str
    label: str  # translatable (lazy)
    accounts_server: str
    api_domain: str


DATA_CENTRES = {
    dc.location: dc
    for dc in [
        DataCentre("us", _("United States"), "https://accounts.zoho.com", "https://www.zohoapis.com"),
        DataCentre("eu", _("Europe"), "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        DataCentre("in", _("India"), "https://accounts.zoho.in", "https://www.zohoapis.in"),
        DataCentre("au", _("Australia"), "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        DataCentre("jp", _("Japan"), "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        DataCentre("ca", _("Canada"), "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        DataCentre("sa", _("Saudi Arabia"), "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
        DataCentre("cn", _("China"), "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
    ]
}

SCOPES = [
    "ZohoCRM.modules.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.notifications.ALL",
    "ZohoCRM.users.READ",
    "ZohoCRM.org.READ",
    "ZohoCRM.coql.READ",
]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class ZohoAdapter:
    provider = "zoho"

    def __init__(self, session=None, sleep=time.sleep):
        self.session = session or new_session()
        self.sleep = sleep

    @property
    def authorize_url(self) -> str:
        return f"{settings.ZOHO_ACCOUNTS_URL}/oauth/v2/auth"

    @property
    def scopes(self) -> list[str]:
        return list(getattr(settings, "ZOHO_SCOPES", SCOPES))

    def authorization_url(self, *, redirect_uri: str, state: str) -> str:
        query = {
            "scope": ",".join(self.scopes),
            "client_id": settings.ZOHO_CLIENT_ID,
            "response_type": "code",
            "access_type": "offline",
            "prompt": "consent",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{self.authorize_url}?{urlencode(query)}"

    def _is_configured_host(self, url: str) -> bool:
        """True for URLs on the configured accounts host when it is not a real Zoho host (the sandbox)."""
        configured = _origin(settings.ZOHO_ACCOUNTS_URL)
        real = {_origin(dc.accounts_server) for dc in DATA_CENTRES.values()}
        return configured not in real and _origin(url) == configured

    def checked_accounts_server(self, location: str, accounts_server: str) -> str:
        """The accounts server from the callback, if it belongs to `location`; else PermanentError."""
        location = (location or "us").lower()
        dc = DATA_CENTRES.get(location)
        server = (accounts_server or "").rstrip("/")
        if dc is None:
            raise PermanentError("unknown_location", f"Unknown Zoho data centre: {location}", provider=self.provider)
        if not server:
            if self._is_configured_host(settings.ZOHO_ACCOUNTS_URL) and location == "us":
                return settings.ZOHO_ACCOUNTS_URL
            return dc.accounts_server
        if server == dc.accounts_server or self._is_configured_host(server):
            return server
        raise PermanentError("unknown_accounts_server", f"Unexpected Zoho accounts server: {server}",
                             provider=self.provider)

    def checked_api_domain(self, location: str, api_domain: str) -> str:
        """The CRM API host: ZOHO_API_DOMAIN if set, else the token's api_domain if it is Zoho's for
        that data centre (or on the configured sandbox host), else the data centre's default."""
        if settings.ZOHO_API_DOMAIN:
            return settings.ZOHO_API_DOMAIN
        dc = DATA_CENTRES.get((location or "us").lower(), DATA_CENTRES["us"])
        domain = (api_domain or "").rstrip("/")
        if domain and (domain == dc.api_domain or self._is_configured_host(domain)):
            return domain
        return dc.api_domain

    def token_url(self, accounts_server: str) -> str:
        return f"{accounts_server.rstrip('/')}/oauth/v2/token"

    def exchange_code(self, *, accounts_server: str, code: str, redirect_uri: str) -> dict:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": settings.ZOHO_CLIENT_ID,
            "client_secret": settings.ZOHO_CLIENT_SECRET,
            "redirect_uri": redirect_uri,
        }
        return post_token(self.session, self.token_url(accounts_server), data=data, provider=self.provider)

    def refresh(self, *, accounts_server: str, refresh_token: str) -> dict:
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": settings.ZOHO_CLIENT_ID,
            "client_secret": settings.ZOHO_CLIENT_SECRET,
        }
        # Zoho refresh tokens do not rotate, so a lost response is simply retried for a short while.
        return post_token(self.session, self.token_url(accounts_server), data=data, provider=self.provider,
                          retry_until=time.monotonic() + 30, sleep=self.sleep)

    def revoke(self, *, accounts_server: str, refresh_token: str) -> None:
        try:
            response = self.session.post(f"{self.token_url(accounts_server)}/revoke", params={"token": refresh_token})
        except RETRYABLE_ERRORS as error:
            raise TransientError(f"revocation failed: {type(error).__name__}", provider=self.provider) from None
        if response.status_code >= 400:
            raise PermanentError(str(response.status_code), response.text[:300], status=response.status_code,
                                 provider=self.provider)
