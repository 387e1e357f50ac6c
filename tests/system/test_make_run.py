"""`make run` on the embedded defaults (SQLite, filesystem broker) serves the sign-in page within 90 seconds,
the printed demo admin can sign in, the sandbox answers, and one Ctrl-C stops every process."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, deadline: float, process=None) -> requests.Response | None:
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited already
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def make_run(tmp_path):
    portal_port, sandbox_port = _free_port(), _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "SANDBOX_DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(
        SYNCPORTAL_DATA_DIR=str(tmp_path / "data"),
        PORTAL_PORT=str(portal_port),
        SANDBOX_PORT=str(sandbox_port),
        PORTAL_BASE_URL=f"http://127.0.0.1:{portal_port}",
        SANDBOX_URL=f"http://127.0.0.1:{sandbox_port}",
        WORKER_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
    )
    log = open(tmp_path / "make-run.log", "w+")
    process = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    yield process, portal_port, sandbox_port, log
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def test_make_run_serves_the_sign_in_page_and_the_demo_admin_can_sign_in(make_run):
    process, portal_port, sandbox_port, log = make_run
    started = time.monotonic()
    login_url = f"http://127.0.0.1:{portal_port}/login/"
    page = _wait_for(login_url, started + 90, process)
    log.seek(0)
    output = log.read()
    assert page is not None, f"the sign-in page did not answer within 90 s:\n{output[-3000:]}"

    credentials = re.search(r"Sign in with\s+(\S+)\s+/\s+(\S+)", output)
    assert credentials, output[-3000:]
    session = requests.Session()
    session.get(login_url, timeout=5)
    token = session.cookies["syncportal_csrftoken"]
    response = session.post(
        login_url,
        data={"username": credentials[1], "password": credentials[2], "csrfmiddlewaretoken": token},
        headers={"Referer": login_url},
        timeout=10,
    )
    assert response.status_code == 200
    assert 'data-testid="sidebar"' in response.text, "the demo admin could not sign in"
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    assert _wait_for(f"{sandbox}/", time.monotonic() + 30) is not None
    # The sandbox's UI shows the seeded records of both emulators, and its call counters.
    zoho_accounts = requests.get(f"{sandbox}/zoho/ui/Accounts/", timeout=10)
    assert zoho_accounts.status_code == 200 and zoho_accounts.text.count("<tr") > 5
    xero_home = requests.get(f"{sandbox}/xero/ui/", timeout=10).text
    assert "Demo Company (AU)" in xero_home and "Demo Company (UK)" in xero_home
    contacts_path = re.search(r'href="(/xero/ui/[^"]+/contacts/)"', xero_home)[1]
    contacts = requests.get(f"{sandbox}{contacts_path}", timeout=10)
    assert contacts.status_code == 200 and contacts.text.count("<tr") > 5
    assert requests.get(f"{sandbox}/counters", timeout=10).status_code == 200

    os.killpg(process.pid, signal.SIGINT)  # one Ctrl-C in the terminal
    process.wait(timeout=30)
    log.seek(0)
    children = {name: int(pid) for name, pid in re.findall(r"\[run_all\] started (\w+) \(pid (\d+)\)", log.read())}
    assert set(children) == {"web", "worker", "beat", "sandbox"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children.values()):
        time.sleep(0.2)
    assert [name for name, pid in children.items() if _alive(pid)] == [], "still running after one Ctrl-C"
