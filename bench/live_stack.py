"""The live stack the cron and on-save benchmarks run against: fresh databases, the sandbox as its own server
process, and (on demand) the portal served by `manage.py runserver` and a real Celery worker.

    with LiveStack("on_save", traffic_log=True) as stack:
        connected = stack.connect()          # a portal organisation connected to the sandbox's Xero and Zoho
        stack.seed(zoho={"accounts": 50, "products": 0, "invoices": 0})
        stack.start_portal(); stack.start_worker()

Databases: with a PostgreSQL DATABASE_URL, two databases named after it (`<name>_bench_<benchmark>` and
`..._sb` for the sandbox's store) are created fresh and dropped at the end; otherwise two SQLite files in a
scratch folder, which also holds the filesystem broker's queue (so the benchmark never takes another process's
messages) and the logs. CELERY_BROKER_URL (Redis) is used as given. BENCH_KEEP=1 keeps everything for a look.

Ports, processes and waits come from tests/stack.py, the one module that starts servers for the tests and the
benchmarks (the `make run` stack of the browser tests too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from tests.stack import free_port, spawn, stop_process_group, wait_until_answers

SETTINGS = "bench.live_settings"
START_TIMEOUT = 120  # seconds for a server or the worker to start: a deadline for one that never does


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


class LiveStack:
    def __init__(self, name: str, *, traffic_log: bool = False):
        self.name = name
        self.keep = os.environ.get("BENCH_KEEP") == "1"
        self.scratch = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        self.traffic_log = self.scratch / "traffic.jsonl" if traffic_log else None
        self.sandbox_url = f"http://127.0.0.1:{free_port()}"
        self.portal_url = f"http://127.0.0.1:{free_port()}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.http = requests.Session()
        self.pg_url = os.environ.get("DATABASE_URL", "") if _is_postgres(os.environ.get("DATABASE_URL", "")) else ""
        self.pg_names: list[str] = []
        self.env: dict[str, str] = {}

    # --- lifecycle --------------------------------------------------------------------------------------

    def __enter__(self) -> LiveStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        database, sandbox_database = self._create_databases()
        for folder in ("queue", "processed", "control"):  # kombu's filesystem transport expects its folders
            (self.scratch / "broker" / folder).mkdir(parents=True, exist_ok=True)
        self.env = {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DJANGO_DEBUG": "false",
            "SYNCPORTAL_DATA_DIR": str(self.scratch),
            "DATABASE_URL": database,
            "SANDBOX_DATABASE_URL": sandbox_database,
            "SANDBOX_URL": self.sandbox_url,
            "PORTAL_BASE_URL": self.portal_url,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update(self.env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("migrate", database="sandbox", verbosity=0)
        sandbox_env = {"SANDBOX_TRAFFIC_LOG": str(self.traffic_log)} if self.traffic_log else {}
        port = urlsplit(self.sandbox_url).port
        self._spawn("sandbox", [sys.executable, "manage.py", "runsandbox", "--port", str(port), "--quiet"],
                    extra_env=sandbox_env)
        self._wait_http(self.sandbox_url + "/_sandbox/clock", "sandbox")
        self.lift_limits()

    def start_portal(self) -> None:
        """The portal behind a real HTTP server (Django's threaded runserver, as `make run` starts it)."""
        port = urlsplit(self.portal_url).port
        self._spawn("portal", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"])
        self._wait_http(self.portal_url + "/", "portal")

    def start_worker(self, queues: str = "realtime,default,bulk", concurrency: int = 2) -> None:
        """A real Celery worker process (as `make run` starts it: every queue, two processes)."""
        log = self.scratch / "worker.log"
        self._spawn("worker", [sys.executable, "-m", "celery", "-A", "syncportal", "worker", "-Q", queues,
                               "-c", str(concurrency), "-n", f"bench-{self.name}-{os.getpid()}@%h",
                               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"])
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if " ready." in log.read_text(errors="replace"):
                return
            self._check_alive()
            time.sleep(0.1)
        raise RuntimeError(f"the Celery worker did not start; see {log}")

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            stop_process_group(self.processes[name], grace=15)
        self.processes.clear()
        self.http.close()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if self.keep:
            print(f"bench: kept {self.scratch} and databases {self.pg_names}", flush=True)
            return
        self._drop_databases()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # --- processes --------------------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str], extra_env: dict | None = None) -> None:
        self.processes[name] = spawn(command, env={**os.environ, **self.env, **(extra_env or {})},
                                     log_path=self.scratch / f"{name}.log")

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.scratch / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def _wait_http(self, url: str, name: str, timeout: float = START_TIMEOUT) -> None:
        if wait_until_answers(url, time.monotonic() + timeout, list(self.processes.values()), status=None,
                              session=self.http) is None:
            self._check_alive()
            raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s")

    def log(self, name: str) -> str:
        path = self.scratch / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- databases --------------------------------------------------------------------------------------

    def _admin(self):
        import psycopg2

        connection = psycopg2.connect(_with_database(self.pg_url, "postgres"))
        connection.autocommit = True
        return connection

    def _create_databases(self) -> tuple[str, str]:
        if not self.pg_url:
            return (f"sqlite:///{self.scratch / 'portal.sqlite3'}", f"sqlite:///{self.scratch / 'sandbox.sqlite3'}")
        base = urlsplit(self.pg_url).path.lstrip("/") or "syncportal"
        self.pg_names = [f"{base}_bench_{self.name}", f"{base}_bench_{self.name}_sb"]
        admin = self._admin()
        with admin.cursor() as cursor:
            for name in self.pg_names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return tuple(_with_database(self.pg_url, name) for name in self.pg_names)

    def _drop_databases(self) -> None:
        if not self.pg_names:
            return
        admin = self._admin()
        with admin.cursor() as cursor:
            for name in self.pg_names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    # --- the sandbox's control endpoints -------------------------------------------------------------------

    def _post(self, path: str, payload: dict) -> dict:
        response = self.http.post(self.sandbox_url + path, json=payload, timeout=30)
        response.raise_for_status()
        return response.json()

    def configure(self, **sections) -> dict:
        return self._post("/_sandbox/config", sections)

    def lift_limits(self) -> None:
        self.configure(xero={"minute_limit": 100_000, "day_limit": 1_000_000, "concurrent_limit": 50},
                       zoho={"concurrency": 50, "daily_credits": 10_000_000})

    def counters(self) -> dict:
        return self.http.get(self.sandbox_url + "/_sandbox/counters", timeout=30).json()

    def reset_counters(self) -> dict:
        return self._post("/_sandbox/counters/reset", {})

    def seed(self, *, xero: dict | None = None, zoho: dict | None = None) -> dict:
        """Seed the sandbox's store from this process (as `manage.py sandbox seed` does beside `make run`)."""
        from sandbox.services import seed

        return seed(xero=xero, zoho=zoho)

    # --- the portal side ---------------------------------------------------------------------------------

    def connect(self, *, email: str = "bench@example.com"):
        """A portal organisation (signed up as a new user would) connected to one Xero organisation and Zoho,
        terms accepted, Zoho fields and Xero reference data loaded, and every module started in both directions
        (what the benchmarks measure; a new organisation syncs nothing until then): `portal_setup.Connected`."""
        from types import SimpleNamespace

        from django.test import Client

        from tenancy.services import sign_up
        from tests.sync.portal_setup import connect, start_syncing

        user = sign_up(email=email, password="bench-password-not-secret", organisation_name="Bench Pty Ltd")
        organisation = user.organisations.get()
        client = Client()
        client.force_login(user)
        limits = SimpleNamespace()  # live_settings lifts the portal's limits in every process already
        return start_syncing(connect(self, client, organisation, user, limits))

    def traffic(self, offset: int = 0) -> tuple[list[dict], int]:
        """Traffic-log lines written since byte `offset`, and the new offset."""
        import json

        if self.traffic_log is None or not self.traffic_log.exists():
            return [], offset
        with open(self.traffic_log, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
        end = data.rfind(b"\n") + 1
        lines = [json.loads(line) for line in data[:end].splitlines() if line.strip()]
        return lines, offset + end
