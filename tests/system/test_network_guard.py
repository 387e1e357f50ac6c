"""The network guard (tests/network_guard.py): a connection to a port the test run did not start is refused with a
clear message and fails the test, in the test process and in the processes the tests start; the run's own ports
and the configured services stay reachable."""

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import network_guard
from tests.network_guard_site import sitecustomize as guard

ROOT = Path(__file__).resolve().parents[2]


def _port_nobody_registered() -> int:
    """A free port found without the guard noting it (the real bind, not the guarded one)."""
    with socket.socket() as probe:
        guard._real_bind(probe, ("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not guard.allowed("127.0.0.1", port)
    return port


def test_a_connection_to_a_port_the_run_did_not_start_is_refused_and_named():
    port = _port_nobody_registered()
    with socket.socket() as client, pytest.raises(ConnectionRefusedError) as refused:
        client.connect(("127.0.0.1", port))
    assert f"refused a connection to 127.0.0.1:{port}, a port the test run did not start" in str(refused.value)
    assert network_guard.take_attempts() == [f"127.0.0.1:{port}"]  # taken here, so this test itself passes


@pytest.mark.parametrize("address", [("127.0.0.1", 8000), ("localhost", 8100), ("192.0.2.1", 443)])
def test_make_runs_ports_and_other_machines_are_refused_before_a_packet_is_sent(address):
    if guard.allowed(*address):
        pytest.skip(f"this test run opened {address} itself")  # only if the kernel handed the run that port
    with socket.socket() as client:
        client.settimeout(30)  # 192.0.2.1 (TEST-NET-1) would hang, not refuse, if a packet were sent
        with pytest.raises(ConnectionRefusedError, match="a port the test run did not start"):
            client.connect(address)
    assert len(network_guard.take_attempts()) == 1


def test_a_port_the_run_opened_and_the_configured_services_stay_reachable(monkeypatch):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))  # noted by the guard: the run opened it
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=10):
            pass
    assert guard.configured_endpoints({"DATABASE_URL": "postgres://u@db.example:6543/x",
                                       "CELERY_BROKER_URL": "redis://127.0.0.1/4",
                                       "SANDBOX_DATABASE_URL": "sqlite:///tmp/x.sqlite3"}) == {
        ("db.example", 6543), ("127.0.0.1", 6379)}
    assert network_guard.take_attempts() == []


def test_names_resolve_only_for_this_machine_and_invalid_fails_by_design():
    assert socket.getaddrinfo("localhost", 80)
    with pytest.raises(socket.gaierror, match="unreachable by design"):
        socket.getaddrinfo("portal.invalid", 80)
    assert network_guard.take_attempts() == []  # by design, not an attempt
    with pytest.raises(socket.gaierror, match="refused to resolve api.xero.com"):
        socket.getaddrinfo("api.xero.com", 443)
    assert network_guard.take_attempts() == ["a DNS lookup of api.xero.com"]


def test_a_process_the_tests_start_is_guarded_too_and_its_refusal_reaches_the_test_run():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        opened = server.getsockname()[1]
        unused = _port_nobody_registered()
        script = textwrap.dedent(f"""
            import socket
            socket.create_connection(("127.0.0.1", {opened}), timeout=10).close()
            try:
                socket.create_connection(("127.0.0.1", {unused}), timeout=10)
            except ConnectionRefusedError as error:
                print("REFUSED", error)
        """)
        child = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert f"REFUSED [Errno 111] tests/network_guard.py: refused a connection to 127.0.0.1:{unused}" in child.stdout
    attempts = network_guard.take_attempts()
    assert len(attempts) == 1 and attempts[0].startswith(f"127.0.0.1:{unused} (pid "), attempts


def test_a_test_that_reaches_a_port_the_run_did_not_start_fails_loudly(tmp_path):
    """The whole plugin in a pytest run of its own: the offending test fails and names the address."""
    port = _port_nobody_registered()
    (tmp_path / "test_offender.py").write_text(textwrap.dedent(f"""
        import requests

        def test_offender():
            try:
                requests.get("http://127.0.0.1:{port}/", timeout=5)
            except requests.ConnectionError:
                pass  # swallowed: the guard fails the test all the same

        def test_innocent():
            pass
    """))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    run = subprocess.run([sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "tests.network_guard",
                          "-p", "no:django", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
                          "--rootdir", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert f"This test sent traffic to 127.0.0.1:{port}, which the test run did not start" in run.stdout, run.stdout
    assert "ERROR at teardown of test_offender" in run.stdout and "2 passed, 1 error" in run.stdout, run.stdout
    assert run.returncode == 1
    assert network_guard.take_attempts() == []  # refused inside the inner run; nothing leaked to this one
