"""Shared HTTP plumbing for the provider adapters and clients (the only modules that import requests)."""

import random
from urllib.parse import urlsplit

import requests
from django.conf import settings

from .. import conf


class TimeoutSession(requests.Session):
    """A session that never sends a request without a timeout (settings.PROVIDER_HTTP_TIMEOUT).

    requests reads the proxy and CA-bundle environment variables again for every request (scanning the whole
    environment); a job's thousands of calls to the same host reuse the first answer per scheme and host."""

    def __init__(self):
        super().__init__()
        self._environment: dict[tuple, dict] = {}

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", settings.PROVIDER_HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        parts = urlsplit(url)
        try:
            key = (parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())), stream, verify, cert)
            hash(key)
        except TypeError:  # an unusual argument: no caching
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        if key not in self._environment:
            self._environment[key] = super().merge_environment_settings(url, proxies, stream, verify, cert)
        merged = self._environment[key]
        return {**merged, "proxies": dict(merged.get("proxies") or {})}


def new_session() -> requests.Session:
    session = TimeoutSession()
    session.headers["User-Agent"] = conf.get("PROVIDER_USER_AGENT")
    session.headers["Accept"] = "application/json"
    return session


def backoff_seconds(attempt: int, *, jitter: bool = True) -> float:
    """Exponential backoff for attempt 1, 2, 3...: base * 2^(attempt-1), capped, with full jitter."""
    base = float(conf.get("PROVIDER_BACKOFF_BASE_SECONDS"))
    ceiling = min(float(conf.get("PROVIDER_BACKOFF_MAX_SECONDS")), base * (2 ** (attempt - 1)))
    return random.uniform(ceiling / 2, ceiling) if jitter else ceiling


def json_or_empty(response) -> dict:
    if response.status_code == 204 or not response.content:
        return {}
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"data": data}


RETRYABLE_ERRORS = (requests.Timeout, requests.ConnectionError)
SENT_MAYBE_ERRORS = (requests.ReadTimeout,)  # the provider may have processed the request
