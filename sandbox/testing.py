"""pytest plugin: the `sandbox` fixture serves the sandbox over HTTP from a live server thread.

Registered in tests/conftest.py with `pytest_plugins = ["sandbox.testing"]`.

    def test_it_lists_contacts(sandbox):
        response = requests.get(sandbox.url + "/xero/api.xro/2.0/Contacts", headers=...)

* One server thread per test session (started on first use, on a free port); each test gets a clean store.
* A test that uses `sandbox` needs the transactional database on every alias. The plugin marks such tests
  with `@pytest.mark.django_db(transaction=True, databases="__all__")` automatically; a test that carries its
  own `django_db` mark must give those two arguments itself (the fixture fails with a clear message otherwise).
* SQLite in memory: the server threads share the test's connections (as Django's live server does) and the
  sandbox serialises its requests (sandbox.concurrency.serial). PostgreSQL: each thread has its own connection.
* For the test's duration the portal's settings point at the sandbox: XERO_LOGIN_URL, XERO_IDENTITY_URL,
  XERO_API_URL, XERO_CONNECTIONS_URL, ZOHO_ACCOUNTS_URL, SANDBOX_URL. When the test also uses `live_server`,
  the Xero webhook URL points at it.
"""

import threading

import pytest
import requests

SANDBOX_DB_MARK = {"transaction": True, "databases": "__all__"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "sandbox" in getattr(item, "fixturenames", ()) and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(**SANDBOX_DB_MARK))


class _ServerThread(threading.Thread):
    """Django's LiveServerThread, serving the sandbox application instead of the portal."""

    def __init__(self, application, connections_override):
        super().__init__(daemon=True, name="sandbox-live-server")
        self.application = application
        self.connections_override = connections_override
        self.is_ready = threading.Event()
        self.error = None
        self.port = 0
        self.httpd = None

    def run(self):
        from django.core.servers.basehttp import ThreadedWSGIServer
        from django.db import connections
        from django.test.testcases import QuietWSGIRequestHandler

        from .server import ContentTypeAsSent

        class Handler(ContentTypeAsSent, QuietWSGIRequestHandler):
            pass

        for alias, conn in self.connections_override.items():
            connections[alias] = conn
        try:
            self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), Handler, allow_reuse_address=False,
                                            connections_override=self.connections_override)
            self.httpd.daemon_threads = True
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(self.application)
            self.is_ready.set()
            self.httpd.serve_forever(poll_interval=0.05)
        except Exception as error:  # reported to the fixture
            self.error = error
            self.is_ready.set()
        finally:
            connections.close_all()

    def terminate(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        self.join(timeout=5)


class Sandbox:
    """What the `sandbox` fixture gives a test."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def _post(self, path, payload):
        response = self.http.post(self.url + path, json=payload, timeout=60)
        response.raise_for_status()
        return response.json()

    def advance_clock(self, seconds: float) -> dict:
        return self._post("/_sandbox/clock", {"advance": seconds})

    def reset_clock(self) -> dict:
        return self._post("/_sandbox/clock", {"reset": True})

    def configure(self, **sections) -> dict:
        """Deep-merge configuration, e.g. configure(xero={"minute_limit": 3}, inject={"xero": {"429": 0.5}})."""
        return self._post("/_sandbox/config", sections)

    def config(self) -> dict:
        return self.http.get(self.url + "/_sandbox/config", timeout=60).json()

    def counters(self) -> dict:
        return self.http.get(self.url + "/_sandbox/counters", timeout=60).json()

    def reset_counters(self) -> dict:
        return self._post("/_sandbox/counters/reset", {})

    def reset(self) -> dict:
        return self._post("/_sandbox/reset", {})

    def seed(self, *, xero: dict | None = None, zoho: dict | None = None) -> dict:
        """Seed in-process (same store as the server). Options as `manage.py sandbox seed`."""
        from .concurrency import serial
        from .services import seed

        with serial.hold():
            return seed(xero=xero, zoho=zoho)


@pytest.fixture(scope="session")
def _sandbox_server(django_db_setup, django_db_blocker):
    from django.db import connections

    from .server import get_application

    with django_db_blocker.unblock():
        overrides = {conn.alias: conn for conn in connections.all()
                     if conn.vendor == "sqlite" and conn.is_in_memory_db()}
        for conn in overrides.values():
            conn.inc_thread_sharing()
        thread = _ServerThread(get_application(), overrides)
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    yield thread
    thread.terminate()
    for conn in overrides.values():
        conn.dec_thread_sharing()


def _check_mark(request):
    marker = request.node.get_closest_marker("django_db")
    kwargs = dict(marker.kwargs) if marker else {}
    if not kwargs.get("transaction") or kwargs.get("databases") != "__all__":
        pytest.fail("A test using the `sandbox` fixture must be marked "
                    '@pytest.mark.django_db(transaction=True, databases="__all__") (or carry no django_db mark).')


@pytest.fixture
def sandbox(request, _sandbox_server, settings):
    _check_mark(request)
    request.getfixturevalue("transactional_db")
    from . import services

    services.forget_memory_state()
    url = f"http://127.0.0.1:{_sandbox_server.port}"
    settings.SANDBOX_URL = url
    settings.XERO_LOGIN_URL = f"{url}/xero/login"
    settings.XERO_IDENTITY_URL = f"{url}/xero/identity"
    settings.XERO_API_URL = f"{url}/xero/api.xro/2.0"
    settings.XERO_CONNECTIONS_URL = f"{url}/xero/connections"
    settings.ZOHO_ACCOUNTS_URL = f"{url}/zoho/us/accounts"
    client = Sandbox(url)
    if "live_server" in request.fixturenames:
        live_server = request.getfixturevalue("live_server")
        client.configure(xero={"webhook_url": f"{live_server.url}/sync/webhooks/xero/"})
    yield client
    client.http.close()
