"""pytest plugin: no test sends traffic to an address or port that the test run did not start.

A test process may connect only to TCP ports that the run itself opened (pytest-django's live server, the sandbox's
server thread, the ports reserved for a `make run` stack or a benchmark's servers with `free_port()`) and to the
services named by the configured URLs (DATABASE_URL, SANDBOX_DATABASE_URL, CELERY_BROKER_URL, REDIS_URL). Any
other connection, to any port on any address (a developer's `make run` on 127.0.0.1:8000, Xero's real API…), is
refused before a packet is sent and fails the test that made it, naming the address. Names resolve only for
loopback, numbers, this machine and the configured hosts; the test settings' PORTAL_BASE_URL is under the reserved
`.invalid` domain (RFC 2606) and fails to resolve at once, by design.

The same guard runs in every Python process the tests start (a `make run` stack's web server, worker, Beat and
sandbox; a benchmark's child and its servers): this plugin puts `tests/network_guard_site` (whose
`sitecustomize.py` is the guard) first on their PYTHONPATH and names a shared registry of the run's ports; what
a child refuses is written to a report file, and the test running at the time fails. The Chromium that Playwright
drives is not a Python process: the pages it opens are the tests' own live servers.

Registered in tests/conftest.py (`pytest_plugins`).
"""

import os
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.network_guard_site import sitecustomize as guard

SITE = Path(__file__).resolve().parent / "network_guard_site"
_late: list[str] = []  # attempts made between tests (a background delivery that outlived its test)
_files: dict = {}


def register_port(port: int) -> int:
    """Note a port that a server started by the test run listens on (binding in this process notes it already)."""
    guard.register_port(port)
    return port


@contextmanager
def refusing_port():
    """A port the run holds with nothing listening on it: a connection to it is refused by the kernel, as by a
    service that is down (for tests of "the broker is down"), without reaching anything the run did not start."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))  # bound, never listening
        yield holder.getsockname()[1]


def _child_attempts() -> list[str]:
    report = _files.get("report")
    if report is None:
        return []
    with open(report, "r+") as handle:
        lines = [line.strip() for line in handle if line.strip()]
        handle.seek(0)
        handle.truncate()
    return lines


def take_attempts() -> list[str]:
    """The refused addresses since the last call, in this process and in the processes the run started."""
    return guard.take_attempts() + _child_attempts()


def pytest_configure(config):
    folder = Path(tempfile.mkdtemp(prefix="network-guard-"))
    registry, report = folder / "ports", folder / "refused"
    registry.touch()
    report.touch()
    _files.update(folder=folder, registry=registry, report=report)
    guard.install(str(registry), None)  # this process's refusals are taken in memory, not from the report
    os.environ[guard.REGISTRY_VARIABLE] = str(registry)
    os.environ[guard.REPORT_VARIABLE] = str(report)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE), os.environ.get("PYTHONPATH")]))


def pytest_unconfigure(config):
    guard.uninstall()
    for variable in (guard.REGISTRY_VARIABLE, guard.REPORT_VARIABLE):
        os.environ.pop(variable, None)
    paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path and path != str(SITE)]
    if paths:
        os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    else:
        os.environ.pop("PYTHONPATH", None)
    folder = _files.get("folder")
    if folder:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


@pytest.fixture(autouse=True)
def _no_traffic_to_ports_the_run_did_not_start():
    _late.extend(take_attempts())
    yield
    attempts = take_attempts()
    if attempts:
        pytest.fail(f"This test sent traffic to {', '.join(sorted(set(attempts)))}, which the test run did not "
                    "start. Point the sandbox's webhooks and notifications at the test's live server "
                    "(settings.PORTAL_BASE_URL = live_server.url) or disable their delivery; reach providers "
                    "through the `sandbox` fixture.", pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    attempts = _late + take_attempts()
    if attempts:
        print(f"\ntests/network_guard.py: traffic between tests to {', '.join(sorted(set(attempts)))}, which the "
              "test run did not start.")
        session.exitstatus = 1
