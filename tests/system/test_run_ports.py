"""`PORTAL_PORT=… SANDBOX_PORT=… make run` (scripts/run_all.py binds the web server and the sandbox there) gives a
stack that talks to its own ports. Clicking through such a stack, Connect Xero went to the sandbox on port 8100
(another stack's, or nothing) and Xero webhooks and Zoho notifications would have gone to port 8000: the URLs
were not derived from the ports. Explicit URLs still win."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = ("from django.conf import settings; "
         "print(settings.PORTAL_BASE_URL, settings.SANDBOX_URL, settings.XERO_LOGIN_URL, settings.ZOHO_ACCOUNTS_URL)")


def _settings(**overrides) -> list[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "SANDBOX_", "XERO_", "ZOHO_", "DJANGO_SETTINGS_MODULE"))}
    env.update(DJANGO_SETTINGS_MODULE="syncportal.settings.local", **overrides)
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {PRINT}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.split()


def test_the_ports_make_run_binds_are_the_ports_the_portal_and_the_sandbox_are_reached_at():
    portal, sandbox, xero_login, zoho_accounts = _settings(PORTAL_PORT="60831", SANDBOX_PORT="49289")
    assert portal == "http://127.0.0.1:60831"
    assert sandbox == "http://127.0.0.1:49289"
    assert xero_login == "http://127.0.0.1:49289/xero/login"
    assert zoho_accounts == "http://127.0.0.1:49289/zoho/us/accounts"


def test_explicit_urls_win_over_the_ports():
    portal, sandbox, *_ = _settings(PORTAL_PORT="60831", SANDBOX_PORT="49289",
                                    PORTAL_BASE_URL="https://portal.example", SANDBOX_URL="http://emulators:9")
    assert (portal, sandbox) == ("https://portal.example", "http://emulators:9")


def test_without_ports_or_urls_the_defaults_stay_8000_and_8100():
    portal, sandbox, *_ = _settings()
    assert (portal, sandbox) == ("http://127.0.0.1:8000", "http://127.0.0.1:8100")
