"""Connection settings with their defaults, read from django.conf.settings at call time.

Only the provider URLs, client ids/secrets, FIELD_ENCRYPTION_KEYS and PROVIDER_HTTP_TIMEOUT live in
syncportal/settings; the tuning knobs below have safe defaults here and can be overridden in settings
(tests override them with pytest-django's `settings` fixture).
"""

from django.conf import settings

DEFAULTS = {
    # Xero's documented limits per tenant (developer.xero.com/documentation/oauth2/limits).
    "XERO_RATE_LIMIT_PER_WINDOW": 60,
    "XERO_RATE_LIMIT_WINDOW_SECONDS": 60.0,
    "XERO_MAX_CONCURRENT": 5,
    "XERO_DAILY_LIMIT": 5000,
    # Zoho's concurrency per org and app: 5 on the Free edition (10+ on paid ones; sub-concurrency 10).
    "ZOHO_MAX_CONCURRENT": 5,
    # Refresh an access token this many seconds before it expires.
    "TOKEN_REFRESH_MARGIN_SECONDS": 300,
    # Xero: a refresh response that was lost may be retried with the old refresh token for 30 minutes.
    "XERO_REFRESH_GRACE_SECONDS": 1800,
    # Beat refreshes Xero token sets idle this long (refresh tokens die after 60 unused days).
    "XERO_IDLE_REFRESH_DAYS": 14,
    # Retries for 429, 5xx and timeouts; longest wait we sit out in-process before raising RateLimited.
    "PROVIDER_MAX_ATTEMPTS": 5,
    "PROVIDER_BACKOFF_BASE_SECONDS": 1.0,
    "PROVIDER_BACKOFF_MAX_SECONDS": 30.0,
    "PROVIDER_MAX_INLINE_WAIT_SECONDS": 65.0,
    # How long an in-flight slot is held at most if a worker dies mid-call.
    "RATE_LIMIT_LEASE_SECONDS": 120.0,
    "TERMS_VERSION": "2026-01",
    "PROVIDER_USER_AGENT": "SyncPortal/0.1 (+https://github.com/syncportal)",
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
