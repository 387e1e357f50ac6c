"""Real Celery worker processes for the acceptance tests (PostgreSQL and Redis only).

A worker runs `celery -A syncportal worker` with the test's database (the test database name pytest-django
created), the Redis broker, and the provider URLs pointing at the sandbox the test serves.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


def real_services() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get(
        "CELERY_BROKER_URL", ""
    ).startswith("redis")


def _database_url(alias: str) -> str:
    database = connections[alias].settings_dict
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


class Worker:
    def __init__(self, name: str, *, lease_seconds: int = 6, log_dir: Path | None = None,
                 extra_env: dict | None = None):
        self.name = name
        self.extra_env = extra_env or {}
        self.lease_seconds = lease_seconds
        self.log_path = (log_dir or Path("/tmp")) / f"sync-worker-{name}-{os.getpid()}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "syncportal.settings.test",
            "DATABASE_URL": _database_url("default"),
            "SANDBOX_DATABASE_URL": _database_url("sandbox"),
            "XERO_API_URL": settings.XERO_API_URL,
            "XERO_IDENTITY_URL": settings.XERO_IDENTITY_URL,
            "XERO_LOGIN_URL": settings.XERO_LOGIN_URL,
            "XERO_CONNECTIONS_URL": settings.XERO_CONNECTIONS_URL,
            "ZOHO_ACCOUNTS_URL": settings.ZOHO_ACCOUNTS_URL,
            "SANDBOX_URL": settings.SANDBOX_URL,
            "SYNC_RUN_LEASE_SECONDS": str(self.lease_seconds),
            "DATABASE_CONN_MAX_AGE": "0",
            **self.extra_env,
        }
        log = open(self.log_path, "w")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "syncportal", "worker", "-Q", "default,realtime,bulk", "-c", "1",
             "-n", f"{self.name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no warm shutdown, no acknowledgement."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_for(predicate, *, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


LIMITS = ("XERO_RATE_LIMIT_PER_WINDOW", "XERO_MAX_CONCURRENT", "XERO_DAILY_LIMIT", "ZOHO_MAX_CONCURRENT")


def limits_env() -> dict:
    """The test's rate limits (what it set with the `settings` fixture, else the defaults) as a worker's
    environment (syncportal/settings/test.py reads them). Without them a worker keeps Xero's real limits (60 calls
    a minute, 5,000 a day per tenant) while the test process has its raised ones, and both count in the same
    Redis budget, keyed by the sandbox's tenant ids, which are the same in every test of a run: the worker then
    waits for, or is refused by, calls the test process and earlier tests made (tests/sync/worker_limits.py)."""
    from connections import conf

    return {name: str(conf.get(name)) for name in LIMITS}


def _task_names(client) -> list[str]:
    import json

    names = [json.loads(message).get("headers", {}).get("task", "?")
             for queue in settings.CELERY_TASK_QUEUES_NAMES for message in client.lrange(queue, 0, -1)]
    return names + [json.loads(value)[0].get("headers", {}).get("task", "?") for value in client.hvals("unacked")]


def queued_tasks() -> list[str]:
    """The names of the tasks waiting in the Redis broker's queues or delivered and not yet acknowledged."""
    from syncportal.celery import app

    with app.connection_for_read() as connection:
        return _task_names(connection.default_channel.client)


def purge_broker() -> list[str]:
    """Empty the Redis broker's queues and its delivered-but-unacknowledged messages; returns the names of the
    tasks dropped. For a test whose workers must see only what the test queues: earlier tests of the same run
    leave messages behind (tasks queued while no worker ran, retries that a stopped worker handed back with a
    countdown of minutes), which this test's workers would otherwise run on its database, and which its
    "workers idle" checks would wait for. Call it while none of the test's workers runs."""
    from syncportal.celery import app

    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        dropped = _task_names(client)
        client.delete(*settings.CELERY_TASK_QUEUES_NAMES, "unacked", "unacked_index")
    return dropped
