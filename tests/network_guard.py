"""pytest plugin: no test sends traffic to an address or port that the test run did not start.

The test settings name an unreachable address for the portal (PORTAL_BASE_URL) under the reserved `.invalid`
domain (RFC 2606): a test that forgets to point the sandbox's webhooks or Zoho's
notifications at its own live server delivers nowhere, instead of to a `make run` on 127.0.0.1:8000. This plugin
makes sure of it for everything Python does in the test process:

* a name under `.invalid` fails to resolve at once, without asking a DNS server (nothing leaves the machine);
* a connection to 127.0.0.1 (or ::1, localhost) on `make run`'s ports 8000 and 8100 is refused before a packet
  is sent, and the test that was running fails and names the address. Ports the test run starts come from the
  kernel's ephemeral range (bind to port 0), never these.

Registered in tests/conftest.py (`pytest_plugins`).
"""

import errno
import ipaddress
import socket
import threading

import pytest

FORBIDDEN_PORTS = frozenset({8000, 8100})  # `make run`'s portal and sandbox: a developer's may be listening
UNREACHABLE_DOMAIN = ".invalid"

_attempts: list[str] = []
_late: list[str] = []  # attempts made between tests (a background delivery that outlived its test)
_lock = threading.Lock()
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse_forbidden(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        if port in FORBIDDEN_PORTS and _is_loopback(host):
            with _lock:
                _attempts.append(f"{host}:{port}")
            raise ConnectionRefusedError(
                errno.ECONNREFUSED, f"tests/network_guard.py: a test tried to reach {host}:{port}, which the test "
                                    "run did not start (make run's port)")


def _guarded_connect(self, address):
    _refuse_forbidden(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _refuse_forbidden(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.rstrip(".").lower().endswith(UNREACHABLE_DOMAIN):
        raise socket.gaierror(socket.EAI_NONAME, f"{name} is unreachable by design (test settings)")
    return _real_getaddrinfo(host, *args, **kwargs)


def take_attempts() -> list[str]:
    """The forbidden addresses tried since the last call (and forget them)."""
    with _lock:
        taken = list(_attempts)
        _attempts.clear()
    return taken


def pytest_configure(config):
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo


def pytest_unconfigure(config):
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(autouse=True)
def _no_traffic_to_ports_the_run_did_not_start():
    _late.extend(take_attempts())
    yield
    attempts = take_attempts()
    if attempts:
        pytest.fail(f"This test sent traffic to {', '.join(sorted(set(attempts)))}, which the test run did not "
                    "start. Point the sandbox's webhooks and notifications at the test's live server "
                    "(settings.PORTAL_BASE_URL = live_server.url) or disable their delivery.", pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    attempts = _late + take_attempts()
    if attempts:
        print(f"\ntests/network_guard.py: traffic between tests to {', '.join(sorted(set(attempts)))}, which the "
              "test run did not start.")
        session.exitstatus = 1
