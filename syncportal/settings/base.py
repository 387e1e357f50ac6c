"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(environ.Env().str("SYNCPORTAL_DATA_DIR", default=str(BASE_DIR / "data")))

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public base URL of the portal, used in OAuth redirect URIs, webhook and button URLs. Without it, the port
# `make run` binds (PORTAL_PORT, scripts/run_all.py), so a stack on other ports talks to itself.
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL", default=f"http://127.0.0.1:{env.str('PORTAL_PORT', default='8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "tenancy",
    "connections",
    "mapping",
    "sync",
    "audit",
    "sandbox",
    "sandbox.xero",
    "sandbox.zoho",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files in every environment (`make run`, tests, production), so what the browser gets is the same.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenancy.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenancy.middleware.UserLanguageMiddleware",
    "tenancy.middleware.CurrentOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "syncportal.urls"
WSGI_APPLICATION = "syncportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.organisation",
            ],
        },
    },
]

# Databases: the portal's own, and the sandbox's store (the provider emulators keep their data apart).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"),
    "sandbox": env.db_url("SANDBOX_DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'sandbox.sqlite3'}"),
}
for _db in DATABASES.values():
    if _db["ENGINE"].endswith("sqlite3"):
        # `make run`'s web server, worker, Beat and sandbox share the files. Write-ahead log: readers never wait
        # for a writer. Immediate write transactions take the write lock when they begin, so two writers queue
        # on the busy timeout instead of one failing with "database is locked" when it upgrades a read lock.
        _options = _db.setdefault("OPTIONS", {})
        _options.setdefault("timeout", 30)
        _options.setdefault("transaction_mode", "IMMEDIATE")
        _options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    else:
        _db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        _db.setdefault("CONN_HEALTH_CHECKS", True)
DATABASE_ROUTERS = ["sandbox.routers.SandboxRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tenancy.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "tenancy:login"
LOGIN_REDIRECT_URL = "tenancy:home"
LOGOUT_REDIRECT_URL = "tenancy:login"

# Cookies are not port-specific: the sandbox runs on another port of the same host, so the portal's
# cookies carry names of their own.
SESSION_COOKIE_NAME = "syncportal_sessionid"
CSRF_COOKIE_NAME = "syncportal_csrftoken"
LANGUAGE_COOKIE_NAME = "syncportal_language"
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times follow the interface language; English is British English (syncportal/formats/en/).
FORMAT_MODULE_PATH = ["syncportal.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the collected files (production image) or, without `collectstatic`, straight from the apps'
# static folders (`make run`, tests: local.py and test.py turn the finders on).
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sync Portal <syncportal@localhost>")

# Secrets at rest: Fernet keys, newest first (MultiFernet: the first encrypts, all decrypt).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[])

# Celery. The default broker needs no server: kombu's filesystem transport under the data folder.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker" / "queue"),
        "data_folder_out": str(DATA_DIR / "broker" / "queue"),
        "processed_folder": str(DATA_DIR / "broker" / "processed"),
        "control_folder": str(DATA_DIR / "broker" / "control"),  # kombu's default is ./control
        "store_processed": False,
        # Polled ten times a second (kombu's default is once): on-save tasks would wait up to a second in the
        # queue. Safe since messages are written whole before they appear (syncportal/broker.py).
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_TASK_DEFAULT_QUEUE = "default"
# Queues: "realtime" (on save, copy, webhooks), "default" (cron, maintenance), "bulk" (historical jobs).
CELERY_TASK_QUEUES_NAMES = ["realtime", "default", "bulk"]
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"


# Shared cache (rate limiters, token locks). Redis when CACHE_URL / the Redis broker is set.
REDIS_URL = env.str("REDIS_URL", default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sign-in, password-reset and sign-up throttling (tenancy/throttle.py) counts in this cache: with Redis every web
# worker shares the counts; the local-memory cache counts per process. Limits: THROTTLE_LIMITS overrides,
# e.g. {"sign_in": {"attempts": 30, "window": 900}}.
CACHES["throttle"] = {**CACHES["default"], "KEY_PREFIX": "syncportal"}
THROTTLE_CACHE = "throttle"
THROTTLE_LIMITS: dict = {}

# Providers. Defaults are the real hosts; the sandbox overrides them (see README).
XERO_CLIENT_ID = env.str("XERO_CLIENT_ID", default="")
XERO_CLIENT_SECRET = env.str("XERO_CLIENT_SECRET", default="")
XERO_LOGIN_URL = env.str("XERO_LOGIN_URL", default="https://login.xero.com").rstrip("/")
XERO_IDENTITY_URL = env.str("XERO_IDENTITY_URL", default="https://identity.xero.com").rstrip("/")
XERO_API_URL = env.str("XERO_API_URL", default="https://api.xero.com/api.xro/2.0").rstrip("/")
XERO_CONNECTIONS_URL = env.str("XERO_CONNECTIONS_URL", default="https://api.xero.com/connections").rstrip("/")
XERO_LEGACY_SCOPES = env.bool("XERO_LEGACY_SCOPES", default=False)
XERO_WEBHOOK_KEY = env.str("XERO_WEBHOOK_KEY", default="")

ZOHO_CLIENT_ID = env.str("ZOHO_CLIENT_ID", default="")
ZOHO_CLIENT_SECRET = env.str("ZOHO_CLIENT_SECRET", default="")
ZOHO_ACCOUNTS_URL = env.str("ZOHO_ACCOUNTS_URL", default="https://accounts.zoho.com").rstrip("/")
# When set, every data centre's API domain is replaced by this one (the sandbox).
ZOHO_API_DOMAIN = env.str("ZOHO_API_DOMAIN", default="").rstrip("/")

PROVIDER_HTTP_TIMEOUT = env.float("PROVIDER_HTTP_TIMEOUT", default=30.0)
# A reference-data refresh (Zoho fields and taxes, Xero tax rates and accounts) that met an outage tries again after this.
REFERENCE_REFRESH_RETRY_SECONDS = env.float("REFERENCE_REFRESH_RETRY_SECONDS", default=300.0)

# Sandbox (provider emulators).
SANDBOX_URL = env.str(
    "SANDBOX_URL", default=f"http://127.0.0.1:{env.str('SANDBOX_PORT', default='8100')}").rstrip("/")
SANDBOX_TRAFFIC_LOG = env.str("SANDBOX_TRAFFIC_LOG", default="")

# Audit retention.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
ALERT_FAILURES_PER_HOUR = env.int("ALERT_FAILURES_PER_HOUR", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
