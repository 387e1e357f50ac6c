"""The one module that starts the project's servers as separate processes for tests and benchmarks.

* The real `make run` stack: what `make run` does after installing, on free ports, in a temporary data folder,
  with the embedded defaults (SQLite, filesystem broker, local settings): migrate both databases, seed the sandbox,
  create the demo admin, then `scripts/run_all.py` (web server, Celery worker, Celery Beat, sandbox). Use the
  `run_all_stack` fixture (one stack per test module; tests/conftest.py registers this module as a plugin), or
  `start_stack()`; `start_stack(..., make_run=True)` runs `make run` itself (tests/system/test_make_run.py):

      def test_something(run_all_stack, page):
          page.goto(run_all_stack.url + "/login/")
          run_all_stack.wait_for_log("celery@")  # e.g. the worker has started

  The live server of pytest-django serves static files itself and runs the test settings; this stack serves what
  a user of `make run` gets. It talks only to its own ports: PORTAL_BASE_URL and SANDBOX_URL name them, so the
  sandbox's webhooks and notifications reach this stack's web server. Asked with `traffic_log=path` (the
  `run_all_stack` fixture asks, into `stack.traffic_log`), its sandbox writes its traffic log there
  (SANDBOX_TRAFFIC_LOG, sandbox/README.md "Traffic log"), for a journey to validate against the specs
  (tests/sandbox/spec_conformance.validate_log); the test run's own log is not passed on.
* The pieces the benchmarks' live stack (bench/live_stack.py) and the single-server tests share: `free_port()`,
  `spawn()` (a process in a session of its own, its output in a log file), `wait_until_answers()` (a
  condition-based wait with a deadline that also notices a process that died) and `stop_process_group()`.

Every port comes from `free_port()`, which binds it in the test process: the network guard
(tests/network_guard.py) therefore knows the run started it.
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
START_TIMEOUT = 240  # a deadline for a stack that never starts, generous for a machine whose cores are busy
# Variables of the test run that must not leak into the stack: it runs on its own defaults, like a fresh clone.
_STRIPPED_PREFIXES = ("DATABASE_URL", "SANDBOX_DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_", "PORTAL_",
                      "SANDBOX_", "XERO_", "ZOHO_", "WORKER_CONCURRENCY", "SYNCPORTAL_DATA_DIR")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server the run starts (bound here, so the network guard notes it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    """Is the process still running (a zombie has exited already)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def spawn(command: list[str], *, env: dict, log_path: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """Start `command` in a session of its own (so its whole process group can be stopped), output to `log_path`."""
    with open(log_path, "w") as log:  # the child holds its own descriptor
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop_process_group(process: subprocess.Popen, first: int = signal.SIGTERM, grace: float = 20) -> None:
    """Send `first` to the process's group; whatever is still running after `grace` seconds is killed."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, first)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def wait_until_answers(url: str, deadline: float, processes=(), *, status: int | None = 200,
                       session: requests.Session | None = None) -> requests.Response | None:
    """Poll `url` until it answers (with `status`, or any status when None) or the monotonic `deadline` passes;
    None then, or as soon as one of `processes` has exited (it will never answer). Compare the answer with None: a
    4xx or 5xx Response is falsy."""
    http = session or requests
    while time.monotonic() < deadline and all(process.poll() is None for process in processes):
        try:
            response = http.get(url, timeout=5)
            if status is None or response.status_code == status:
                return response
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return None


def wait_for_200(url: str, deadline: float, process: subprocess.Popen | None = None) -> requests.Response | None:
    return wait_until_answers(url, deadline, [process] if process is not None else [])


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
    started_at: float = 0.0  # time.monotonic() when the stack's command started
    traffic_log: Path | None = None  # the sandbox's traffic log, when one was asked for

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

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run `manage.py` with the stack's environment (same data folder, same settings)."""
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout, check=True)

    def children(self) -> dict[str, int]:
        """The processes scripts/run_all.py started, by name: {"web": pid, "worker": ..., "beat": ..., "sandbox": ...}."""
        return {name: int(pid) for name, pid in re.findall(r"\[run_all\] started (\w+) \(pid (\d+)\)", self.log())}

    def interrupt(self, timeout: float = 60) -> int:
        """One Ctrl-C, as in a terminal, and wait for the stack's command to exit; its exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)


def stack_environment(data_dir: Path, portal_port: int, sandbox_port: int, traffic_log: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED_PREFIXES)}
    if traffic_log is not None:
        env["SANDBOX_TRAFFIC_LOG"] = str(traffic_log)
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
def start_stack(base_dir: Path, *, make_run: bool = False, timeout: float = START_TIMEOUT,
                traffic_log: Path | None = None):
    """Prepare and start the stack under `base_dir`; stop every process of it on exit. Ready when the sign-in page
    and the sandbox both answer 200 (else AssertionError with the stack's output). With `make_run`, `make run`
    itself prepares and starts it (the test run has installed and compiled the catalogues already). With
    `traffic_log`, the sandbox logs every exchange there."""
    portal_port, sandbox_port = free_port(), free_port()
    data_dir = base_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(url=f"http://127.0.0.1:{portal_port}", sandbox_url=f"http://127.0.0.1:{sandbox_port}",
                  data_dir=data_dir, log_path=base_dir / "stack.log", traffic_log=traffic_log,
                  env=stack_environment(data_dir, portal_port, sandbox_port, traffic_log))
    if make_run:
        command = ["make", "run"]
    else:
        # `make run`'s recipe after `make messages` (the test run compiles the catalogues already).
        stack.manage("migrate", "--noinput")
        stack.manage("migrate", "--noinput", "--database", "sandbox")
        stack.manage("sandbox", "seed", "--if-empty")
        stack.manage("ensure_demo")
        command = [sys.executable, "scripts/run_all.py"]
    stack.started_at = time.monotonic()
    stack.process = spawn(command, env=stack.env, log_path=stack.log_path)
    try:
        deadline = stack.started_at + timeout
        ready = (wait_until_answers(f"{stack.url}/login/", deadline, [stack.process])
                 and wait_until_answers(f"{stack.sandbox_url}/", deadline, [stack.process]))
        assert ready, f"the stack did not answer within {timeout:.0f} s:\n{stack.log()[-3000:]}"
        yield stack
    finally:
        stop_stack(stack)


def stop_stack(stack: Stack) -> None:
    """One Ctrl-C, as in a terminal; whatever is still running after 20 seconds is killed (run_all.py starts each
    process in a session of its own, so each of them is killed by its process group)."""
    stop_process_group(stack.process, signal.SIGINT)
    for pid in stack.children().values():
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@pytest.fixture(scope="module")
def run_all_stack(tmp_path_factory):
    base_dir = tmp_path_factory.mktemp("stack")
    with start_stack(base_dir, traffic_log=base_dir / "traffic.jsonl") as stack:
        yield stack
