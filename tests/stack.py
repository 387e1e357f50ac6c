"""The real `make run` stack for tests: what `make run` does after installing, on free ports, in a temporary data
folder, with the embedded defaults (SQLite, filesystem broker, local settings): migrate both databases, seed the
sandbox, create the demo admin, then `scripts/run_all.py` (web server, Celery worker, Celery Beat, sandbox).

The live server of pytest-django serves static files itself and runs the test settings; this stack serves what a
user of `make run` gets. Use the `run_all_stack` fixture (one stack per test module; tests/conftest.py registers
this module as a plugin), or `start_stack()`:

    def test_something(run_all_stack, page):
        page.goto(run_all_stack.url + "/login/")
        run_all_stack.wait_for_log("celery@")  # e.g. the worker has started

The stack talks only to its own ports: PORTAL_BASE_URL and SANDBOX_URL name them, so the sandbox's webhooks and
notifications reach this stack's web server.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "syncportal-demo"
START_TIMEOUT = 120
# Variables of the test run that must not leak into the stack: it runs on its own defaults, like a fresh clone.
_STRIPPED_PREFIXES = ("DATABASE_URL", "SANDBOX_DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_", "PORTAL_",
                      "SANDBOX_", "XERO_", "ZOHO_", "WORKER_CONCURRENCY", "SYNCPORTAL_DATA_DIR")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_200(url: str, deadline: float, process: subprocess.Popen | None = None) -> requests.Response | None:
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return None


@dataclass
class Stack:
    url: str
    sandbox_url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)
    email: str = DEMO_EMAIL
    password: str = DEMO_PASSWORD

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str, timeout: float = 60) -> re.Match:
        """Wait until the stack's combined output matches `pattern` (a regular expression)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log())
            if match:
                return match
            time.sleep(0.3)
        raise AssertionError(f"{pattern!r} did not appear in the stack's output:\n{self.log()[-3000:]}")

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `manage.py` with the stack's environment (same data folder, same settings)."""
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout, check=True)


def stack_environment(data_dir: Path, portal_port: int, sandbox_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED_PREFIXES)}
    env.update(
        SYNCPORTAL_DATA_DIR=str(data_dir),
        PORTAL_PORT=str(portal_port),
        SANDBOX_PORT=str(sandbox_port),
        PORTAL_BASE_URL=f"http://127.0.0.1:{portal_port}",
        SANDBOX_URL=f"http://127.0.0.1:{sandbox_port}",
        WORKER_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def start_stack(base_dir: Path):
    """Prepare and start the stack under `base_dir`; stop every process of it on exit."""
    portal_port, sandbox_port = free_port(), free_port()
    data_dir = base_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(url=f"http://127.0.0.1:{portal_port}", sandbox_url=f"http://127.0.0.1:{sandbox_port}",
                  data_dir=data_dir, log_path=base_dir / "stack.log",
                  env=stack_environment(data_dir, portal_port, sandbox_port))
    # `make run`'s recipe after `make messages` (the test run compiles the catalogues already).
    stack.manage("migrate", "--noinput", timeout=300)
    stack.manage("migrate", "--noinput", "--database", "sandbox", timeout=300)
    stack.manage("sandbox", "seed", "--if-empty", timeout=300)
    stack.manage("ensure_demo")
    with open(stack.log_path, "w") as log:
        stack.process = subprocess.Popen([sys.executable, "scripts/run_all.py"], cwd=ROOT, env=stack.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        ready = (wait_for_200(f"{stack.url}/login/", deadline, stack.process)
                 and wait_for_200(f"{stack.sandbox_url}/", deadline, stack.process))
        assert ready, f"the stack did not answer within {START_TIMEOUT} s:\n{stack.log()[-3000:]}"
        yield stack
    finally:
        stop_stack(stack)


def stop_stack(stack: Stack) -> None:
    """One Ctrl-C, as in a terminal; whatever is still running after 20 seconds is killed (run_all.py starts each
    process in a session of its own, so each of them is killed by its process group)."""
    process = stack.process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for pid in re.findall(r"\[run_all\] started \w+ \(pid (\d+)\)", stack.log()):
        try:
            os.killpg(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@pytest.fixture(scope="module")
def run_all_stack(tmp_path_factory):
    with start_stack(tmp_path_factory.mktemp("stack")) as stack:
        yield stack
