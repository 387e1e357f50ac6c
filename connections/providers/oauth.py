"""OAuth helpers shared by both adapters: PKCE, token parsing, token endpoint errors."""

import base64
import hashlib
import secrets
import time
from datetime import timedelta

from django.utils import timezone

from ..exceptions import AuthRevoked, PermanentError, RateLimited, TransientError
from .http import RETRYABLE_ERRORS, backoff_seconds, json_or_empty

REVOKED_ERRORS = {"invalid_grant", "invalid_code", "unauthorized_client", "access_denied"}


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge): a 64-character verifier (43-128 allowed)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def parse_token(data: dict) -> dict:
    """Normalise a token response: adds `expires_at` (aware datetime) from `expires_in`."""
    token = dict(data)
    expires_in = data.get("expires_in") or data.get("expires_in_sec")
    try:
        token["expires_at"] = timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None
    except (TypeError, ValueError):
        token["expires_at"] = None
    return token


def post_token(session, url: str, *, data: dict, auth=None, provider: str, retry_until: float | None = None,
               sleep=time.sleep) -> dict:
    """POST to a token endpoint. Retries timeouts and 5xx until `retry_until` (monotonic), same body.

    Errors: invalid_grant and friends -> AuthRevoked; throttling -> RateLimited; other errors ->
    PermanentError; network trouble past the deadline -> TransientError.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            response = session.post(url, data=data, auth=auth, headers={"Accept": "application/json"})
        except RETRYABLE_ERRORS as error:
            if retry_until is None or time.monotonic() >= retry_until or attempt >= 6:
                raise TransientError(f"token endpoint unreachable: {type(error).__name__}", provider=provider) from None
            sleep(backoff_seconds(attempt))
            continue
        if response.status_code >= 500:
            if retry_until is None or time.monotonic() >= retry_until or attempt >= 6:
                raise TransientError(f"token endpoint answered {response.status_code}", provider=provider)
            sleep(backoff_seconds(attempt))
            continue
        body = json_or_empty(response)
        error = body.get("error")
        if response.status_code == 429 or (isinstance(error, str) and "too many requests" in
                                           str(body.get("error_description", "")).lower()):
            raise RateLimited(int(response.headers.get("Retry-After", 600) or 600), provider=provider,
                              problem="token")
        if error:
            description = str(body.get("error_description") or "")
            if error in REVOKED_ERRORS:
                raise AuthRevoked(f"{error}: {description}".strip(": "), provider=provider)
            raise PermanentError(str(error), description, status=response.status_code, provider=provider)
        if response.status_code >= 400 or "access_token" not in body:
            raise PermanentError(str(response.status_code), response.text[:300], status=response.status_code,
                                 provider=provider)
        return parse_token(body)
