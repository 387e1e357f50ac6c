"""Xero's OAuth 2.0 endpoints and scopes, computed from settings (the sandbox points them elsewhere)."""

import base64
import json
import time
from urllib.parse import urlencode

from django.conf import settings

from ... import conf
from ...exceptions import AuthRevoked, PermanentError, TransientError
from ..http import RETRYABLE_ERRORS, json_or_empty, new_session
from ..oauth import post_token

SCOPES = ["offline_access", "accounting.contacts", "accounting.settings", "accounting.invoices", "accounting.payments"]
LEGACY_SCOPES = ["offline_access", "accounting.contacts", "accounting.settings", "accounting.transactions"]


class XeroAdapter:
    provider = "xero"

    def __init__(self, session=None, sleep=time.sleep):
        self.session = session or new_session()
        self.sleep = sleep

    @property
    def authorize_url(self) -> str:
        return f"{settings.XERO_LOGIN_URL}/identity/connect/authorize"

    @property
    def token_url(self) -> str:
        return f"{settings.XERO_IDENTITY_URL}/connect/token"

    @property
    def revocation_url(self) -> str:
        return f"{settings.XERO_IDENTITY_URL}/connect/revocation"

    @property
    def connections_url(self) -> str:
        return settings.XERO_CONNECTIONS_URL

    @property
    def scopes(self) -> list[str]:
        return LEGACY_SCOPES if settings.XERO_LEGACY_SCOPES else SCOPES

    @property
    def _client_auth(self):
        return (settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET) if settings.XERO_CLIENT_SECRET else None

    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str) -> str:
        query = {
            "response_type": "code",
            "client_id": settings.XERO_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.authorize_url}?{urlencode(query)}"

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> dict:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": code_verifier}
        if not self._client_auth:
            data["client_id"] = settings.XERO_CLIENT_ID
        return post_token(self.session, self.token_url, data=data, auth=self._client_auth, provider=self.provider)

    def refresh(self, refresh_token: str) -> dict:
        """Refresh once. A lost response (timeout, 5xx) is retried with the same refresh token while
        Xero's grace window lets the old token be reused (30 minutes; we stop well inside it)."""
        grace = float(conf.get("XERO_REFRESH_GRACE_SECONDS"))
        deadline = time.monotonic() + min(grace / 2, 60.0)
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if not self._client_auth:
            data["client_id"] = settings.XERO_CLIENT_ID
        return post_token(self.session, self.token_url, data=data, auth=self._client_auth, provider=self.provider,
                          retry_until=deadline, sleep=self.sleep)

    def revoke(self, refresh_token: str) -> None:
        """Revoke the grant: Xero removes every connection of that consent."""
        try:
            response = self.session.post(self.revocation_url, data={"token": refresh_token}, auth=self._client_auth)
        except RETRYABLE_ERRORS as error:
            raise TransientError(f"revocation failed: {type(error).__name__}", provider=self.provider) from None
        if response.status_code >= 400:
            raise PermanentError(str(response.status_code), response.text[:300], status=response.status_code,
                                 provider=self.provider)

    def list_connections(self, access_token: str, auth_event_id: str = "") -> list[dict]:
        params = {"authEventId": auth_event_id} if auth_event_id else None
        response = self._call("GET", self.connections_url, access_token, params=params)
        data = response.json() if response.content else []
        return data if isinstance(data, list) else []

    def delete_connection(self, access_token: str, connection_id: str) -> None:
        """Disconnect one tenant. 404 (already gone) counts as done."""
        response = self._call("DELETE", f"{self.connections_url}/{connection_id}", access_token, allow_404=True)
        del response

    def _call(self, method, url, access_token, *, params=None, allow_404=False):
        try:
            response = self.session.request(method, url, params=params,
                                            headers={"Authorization": f"Bearer {access_token}"})
        except RETRYABLE_ERRORS as error:
            raise TransientError(f"{method} connections failed: {type(error).__name__}", provider=self.provider) from None
        if response.status_code == 401:
            raise AuthRevoked(json_or_empty(response).get("Detail", "Unauthorized"), provider=self.provider)
        if response.status_code == 404 and allow_404:
            return response
        if response.status_code >= 500:
            raise TransientError(f"{method} connections answered {response.status_code}", provider=self.provider)
        if response.status_code >= 400:
            body = json_or_empty(response)
            raise PermanentError(str(response.status_code), str(body.get("Detail") or response.text[:300]),
                                 status=response.status_code, provider=self.provider)
        return response


def auth_event_id_from(access_token: str) -> str:
    """The `authentication_event_id` claim of Xero's JWT access token, or "" when it is not a JWT."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return ""
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return ""
    return str(payload.get("authentication_event_id", "")) if isinstance(payload, dict) else ""
