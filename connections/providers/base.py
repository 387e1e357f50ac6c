"""The request loop both API clients share: rate limiter slot, timeout, counting, retries, typed errors."""

import logging
import time
from datetime import timedelta

from django.utils import timezone

from .. import conf
from ..counters import endpoint_name, record_call
from ..exceptions import AuthRevoked, PermanentError, RateLimited, TransientError
from .http import RETRYABLE_ERRORS, SENT_MAYBE_ERRORS, backoff_seconds, new_session

logger = logging.getLogger(__name__)


class BaseClient:
    provider = ""

    def __init__(self, *, sleep=time.sleep):
        self.session = new_session()
        self.sleep = sleep
        self._last_success_saved = None
        self._token: tuple[str, object] | None = None  # (access token, expires_at) kept until shortly before expiry

    # Hooks the provider clients fill in.
    def _organisation_id(self):
        raise NotImplementedError

    def _external_id(self) -> str:
        raise NotImplementedError

    def _access_token(self) -> tuple[str, object]:
        """(a valid access token, when it expires): read from the connection's row, refreshed when stale."""
        raise NotImplementedError

    def _token_now(self) -> str:
        """The access token, kept by this client until TOKEN_REFRESH_MARGIN_SECONDS before it expires: a job's
        thousands of calls neither read nor decrypt the token row each time. A refresh (the locked one, in
        tokens.py) or a 401 replaces it."""
        cached = self._token
        if cached is not None and cached[1] is not None and \
                cached[1] > timezone.now() + timedelta(seconds=conf.get("TOKEN_REFRESH_MARGIN_SECONDS")):
            return cached[0]
        self._token = self._access_token()
        return self._token[0]

    def _refresh_after_401(self, failed_token: str, response) -> bool:
        """Refresh the token if the 401 says it expired; False when the grant itself is gone."""
        raise NotImplementedError

    def _auth_header(self, token: str) -> dict:
        raise NotImplementedError

    def _retry_after_429(self, response, attempt: int) -> tuple[float, str]:
        raise NotImplementedError

    def _raise_for(self, response):
        """Raise the typed error for a 4xx (other than 401/429); return to hand the response back."""
        raise NotImplementedError

    def _revoked(self, response) -> AuthRevoked:
        raise NotImplementedError

    def _still_in_progress(self, response) -> bool:
        """A 409 saying that the same request (its Idempotency-Key) is still being processed: retry it later, when
        the replay returns the first request's outcome (a write cut off by the network is answered so)."""
        return False

    def _mark_success(self, response) -> None:
        pass

    limiter = None

    def _count(self, method: str, url: str, *, rate_limited: bool = False) -> None:
        try:
            record_call(organisation_id=self._organisation_id(), provider=self.provider,
                        external_id=self._external_id(), endpoint=endpoint_name(method, url),
                        rate_limited=rate_limited)
        except Exception:  # counting must never break a sync
            logger.exception("Could not count a %s call", self.provider)

    def _success(self, response) -> None:
        now = timezone.now()
        if self._last_success_saved is None or now - self._last_success_saved > timedelta(seconds=30):
            self._last_success_saved = now
            self._mark_success(response)

    def request(self, method: str, url: str, *, params=None, json=None, headers=None, retry_read_timeout=True):
        """Send one API call and return the response (2xx), retrying what is transient."""
        max_attempts = int(conf.get("PROVIDER_MAX_ATTEMPTS"))
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            token = self._token_now()
            all_headers = {**(headers or {}), **self._auth_header(token)}
            try:
                with self.limiter.slot():
                    response = self.session.request(method, url, params=params, json=json, headers=all_headers)
            except RETRYABLE_ERRORS as error:
                self._count(method, url)
                maybe_sent = isinstance(error, SENT_MAYBE_ERRORS)
                if attempt >= max_attempts or (maybe_sent and not retry_read_timeout):
                    raise TransientError(f"{method} {endpoint_name(method, url)}: {type(error).__name__}",
                                         provider=self.provider) from None
                self.sleep(backoff_seconds(attempt))
                continue
            status = response.status_code
            self._count(method, url, rate_limited=status == 429)
            if status == 401:
                self._token = None
                if not refreshed and self._refresh_after_401(token, response):
                    refreshed = True
                    attempt -= 1
                    continue
                raise self._revoked(response)
            if status == 429:
                wait, problem = self._retry_after_429(response, attempt)
                if problem == "day" or attempt >= max_attempts or wait > conf.get("PROVIDER_MAX_INLINE_WAIT_SECONDS"):
                    raise RateLimited(wait, provider=self.provider, problem=problem)
                self.sleep(wait)
                continue
            if status >= 500 or (status == 409 and self._still_in_progress(response)):
                if attempt >= max_attempts:
                    raise TransientError(f"{method} {endpoint_name(method, url)} answered {status}",
                                         provider=self.provider)
                self.sleep(backoff_seconds(attempt))
                continue
            if status >= 400:
                self._raise_for(response)  # raises, unless the body carries per-record results
                return response
            self._success(response)
            return response


def first_message(*candidates) -> str:
    for candidate in candidates:
        if candidate:
            return str(candidate)
    return ""


__all__ = ["BaseClient", "AuthRevoked", "PermanentError", "RateLimited", "TransientError", "first_message"]
