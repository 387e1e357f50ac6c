"""Test settings: pytest-django. PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFG"
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAwMDAwMDA="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The live server's static files come through WhiteNoise, as under `make run` (not a test-only handler).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "test-broker" / "queue"),
        "data_folder_out": str(DATA_DIR / "test-broker" / "queue"),
        "control_folder": str(DATA_DIR / "test-broker" / "control"),
        "store_processed": False,
    }
    if env.str("CELERY_BROKER_URL", default="filesystem://").startswith("filesystem")
    else {"visibility_timeout": 3600}
)
# Unreachable by design (RFC 2606): the sandbox's webhooks and Zoho's notifications go to PORTAL_BASE_URL unless a
# test points them at its own live server, and must never reach a `make run` on 127.0.0.1:8000. tests/network_guard.py
# fails a test that reaches any port the test run did not open, and resolves `.invalid` names without a DNS query.
PORTAL_BASE_URL = "http://portal.invalid"
# Provider hosts are pointed at the live sandbox by the `sandbox` fixture (tests/conftest.py).
XERO_CLIENT_ID, XERO_CLIENT_SECRET = "sandbox-xero-client", "sandbox-xero-secret"
ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET = "sandbox-zoho-client", "sandbox-zoho-secret"
XERO_WEBHOOK_KEY = "test-xero-webhook-key"
# The throttle's counts stay in this process, so each test starts with none (tests/conftest.py clears them);
# tests/tenancy/test_throttle.py runs it on Redis too.
CACHES = {**CACHES, "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}}  # noqa: F405

# A worker subprocess of the fault tests retries faster (tests/sync/test_faults.py); unset, the defaults apply.
for _knob in ("PROVIDER_MAX_ATTEMPTS", "PROVIDER_BACKOFF_BASE_SECONDS", "PROVIDER_BACKOFF_MAX_SECONDS"):
    if env.str(_knob, default=""):
        globals()[_knob] = env.float(_knob)
# A worker subprocess may take the rate limits its test raised in-process (tests/sync/workers.py `limits_env`);
# unset, the connections app's defaults (Xero's real limits) apply.
for _knob in ("XERO_RATE_LIMIT_PER_WINDOW", "XERO_MAX_CONCURRENT", "XERO_DAILY_LIMIT", "ZOHO_MAX_CONCURRENT"):
    if env.str(_knob, default=""):
        globals()[_knob] = env.int(_knob)
