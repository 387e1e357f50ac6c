"""`manage.py runsandbox` serves the sandbox as its own process with its own store (what `make run` starts)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.stack import free_port, wait_until_answers

ROOT = Path(__file__).resolve().parents[2]



def _manage(env, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_runsandbox_serves_the_seeded_store_on_its_own_port(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "syncportal.settings.test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
           "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"}
    env.pop("SANDBOX_TRAFFIC_LOG", None)
    _manage(env, "migrate", "--database", "sandbox", "-v", "0")
    seeded = _manage(env, "sandbox", "seed", "--if-empty", "--xero-contacts", "2", "--xero-items", "1",
                     "--xero-invoices", "1", "--accounts", "1", "--products", "1", "--invoices", "1")
    assert "xero: seeded 2 organisations" in seeded.stdout
    again = _manage(env, "sandbox", "seed", "--if-empty")
    assert "xero: already has data" in again.stdout
    port = free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runsandbox", "--port", str(port), "--quiet"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        home = wait_until_answers(url + "/", time.monotonic() + 120, [server], status=None)
        assert home is not None, "runsandbox did not start"
        assert home.status_code == 200 and 'href="/xero/ui/"' in home.text
        assert "Demo Company (AU)" in requests.get(url + "/xero/ui/", timeout=5).text
        assert requests.get(url + "/_sandbox/config", timeout=5).json()["xero"]["minute_limit"] == 60
        unauthorised = requests.get(url + "/xero/api.xro/2.0/Contacts", timeout=5)
        assert unauthorised.status_code == 401
        # Its pages' stylesheet is served (a missing page renders the portal's error page, which links it), and a
        # static file is neither provider traffic nor counted.
        missing = requests.get(url + "/no-such-page/", timeout=5)
        assert missing.status_code == 404 and "/static/css/app.css" in missing.text
        stylesheet = requests.get(url + "/static/css/app.css", timeout=5)
        assert stylesheet.status_code == 200 and stylesheet.headers["Content-Type"].startswith("text/css")
        assert requests.get(url + "/_sandbox/counters", timeout=5).json()["xero"]["total"] == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
