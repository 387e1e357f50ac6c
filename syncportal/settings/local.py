"""Local development: `make run`. Safe, non-secret defaults so a fresh checkout starts."""

from .base import *  # noqa: F403
from .base import DATA_DIR, SANDBOX_URL, env

DATA_DIR.mkdir(parents=True, exist_ok=True)

# Off by default: whoever tries the portal gets its own translated error pages, never Django's technical ones.
# DJANGO_DEBUG=true turns Django's debug pages on while developing.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = SECRET_KEY or "local-dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: F405
# A fixed development key so `make run` works out of the box. Never use it in production.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["bG9jYWwtZGV2LW9ubHkta2V5LW5vdC1zZWNyZXQtMDA="]  # noqa: F405

# Point both providers at the local sandbox unless real apps are configured.
if not env.str("XERO_CLIENT_ID", default=""):
    XERO_CLIENT_ID, XERO_CLIENT_SECRET = "sandbox-xero-client", "sandbox-xero-secret"
    XERO_LOGIN_URL = f"{SANDBOX_URL}/xero/login"
    XERO_IDENTITY_URL = f"{SANDBOX_URL}/xero/identity"
    XERO_API_URL = f"{SANDBOX_URL}/xero/api.xro/2.0"
    XERO_CONNECTIONS_URL = f"{SANDBOX_URL}/xero/connections"
    XERO_WEBHOOK_KEY = XERO_WEBHOOK_KEY or "sandbox-xero-webhook-key"  # noqa: F405
if not env.str("ZOHO_CLIENT_ID", default=""):
    ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET = "sandbox-zoho-client", "sandbox-zoho-secret"
    # The sandbox serves every Zoho data centre under /zoho/<dc>/; sign-in starts at the US one, as with Zoho.
    ZOHO_ACCOUNTS_URL = f"{SANDBOX_URL}/zoho/us/accounts"

# Static files without `collectstatic`: WhiteNoise finds them in the apps' static folders on each request.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
