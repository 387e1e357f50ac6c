"""Acceptance (issue 15, retries that converge), with a real Celery worker on PostgreSQL and Redis: the sandbox is
unreachable for the worker for 60 seconds in the middle of On Save traffic, and five notifications name ids the
sandbox cannot serve (well-formed ids of records that do not exist, as after a delete). Afterwards no run is left running, no record was synced twice, the queue is empty, and
each unreadable id has exactly one failure entry.

Zoho edits go to the sandbox directly; the sandbox posts each notification to the live portal, which queues the
task in Redis; the worker reaches the sandbox through a proxy that the test takes down (connections refused and
cut). Beat's resumption of stale runs is called every few seconds. The worker retries on a short clock
(backoff from 2 s, seven attempts) so that the outage is ridden out in about a minute and a half."""

import json
import time
from collections import Counter

import pytest
import requests
from django.conf import settings as django_settings
from django.urls import reverse

from audit.models import AuditEntry
from connections.models import ZohoConnection
from sync.models import RecordLink, RunStatus, SyncItem, SyncRun
from sync.settings_services import organisation_settings
from sync.tasks import resume_stale_runs_task
from sync.trigger_models import ZohoChannel

from .outage import OutageProxy
from .portal_setup import connect, start_syncing
from .worker_limits import fresh_limits
from .workers import Worker, real_services

pytestmark = [
    pytest.mark.skipif(not real_services(), reason="needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)"),
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

OUTAGE_SECONDS = 60
UNREADABLE_IDS = [f"48768760009999999{n:02d}" for n in range(5)]  # well-formed ids of no record (deleted)
RETRY_CLOCK = {"SYNC_RUN_MAX_ATTEMPTS": "7", "SYNC_RETRY_BACKOFF_SECONDS": "2", "SYNC_RETRY_BACKOFF_MAX_SECONDS": "30",
               "PROVIDER_MAX_ATTEMPTS": "2", "PROVIDER_BACKOFF_BASE_SECONDS": "0.2",
               "REFERENCE_REFRESH_RETRY_SECONDS": "3"}


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings, live_server):
    settings.PORTAL_BASE_URL = live_server.url
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    fresh_limits(portal)
    sandbox.configure(xero={"webhooks_enabled": False})  # Xero -> Zoho is not under test here
    return portal


@pytest.fixture
def proxy(sandbox):
    proxy = OutageProxy(int(sandbox.url.rsplit(":", 1)[1])).up()
    yield proxy
    proxy.down()


@pytest.fixture
def worker(portal, sandbox, proxy):
    """A worker whose every provider URL goes through the proxy."""
    def through(url: str) -> str:
        return url.replace(sandbox.url, proxy.url)

    api_domain = ZohoConnection.objects.get(organisation=portal.organisation).api_domain
    env = {**RETRY_CLOCK, "ZOHO_API_DOMAIN": through(api_domain), "SANDBOX_URL": proxy.url,
           **{name: through(getattr(django_settings, name)) for name in (
               "XERO_API_URL", "XERO_IDENTITY_URL", "XERO_LOGIN_URL", "XERO_CONNECTIONS_URL", "ZOHO_ACCOUNTS_URL")}}
    worker = Worker("faults", extra_env=env).start()
    yield worker
    worker.stop()


def _queued_tasks() -> list[str]:
    """The task names of the messages waiting in the worker's queues, and of those delivered and not yet
    acknowledged (retries held for their countdown included)."""
    import redis

    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    try:
        raw = [m for queue in ("realtime", "default", "bulk") for m in client.lrange(queue, 0, -1)]
        raw += [json.loads(value)[0] for value in client.hvals("unacked")]
    finally:
        client.close()
    messages = [json.loads(m) if isinstance(m, bytes | str) else m for m in raw]
    return [m.get("headers", {}).get("task", "?") for m in messages]


def _edit(portal, ids, label):
    for record_id in ids:
        portal.zoho.update_records("Accounts", [{"id": record_id, "Account_Name": f"{label} {record_id}"}])


def _notify_unreadable(live_server, channel):
    for record_id in UNREADABLE_IDS:
        body = {"channel_id": str(channel.channel_id), "token": channel.token, "module": "Accounts",
                "operation": "update", "ids": [record_id], "server_time": int(time.time() * 1000),
                "query_params": {}, "resource_uri": "", "affected_fields": []}
        response = requests.post(live_server.url + reverse("sync:zoho_notification"), data=json.dumps(body),
                                 headers={"Content-Type": "application/json"}, timeout=10)
        assert response.status_code in (200, 202, 204), response.text


def _beat_until(condition, *, timeout: float, message: str, state=lambda: ""):
    """Wait, calling Beat's resumption of stale runs every five seconds."""
    deadline, next_beat = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_beat:
            resume_stale_runs_task.delay()
            next_beat = time.monotonic() + 5
        if condition():
            return
        time.sleep(1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}: {state()}")


def _state(ids) -> str:
    links = set(RecordLink.objects.filter(module="accounts").values_list("zoho_id", flat=True))
    runs = list(SyncRun.objects.values_list("status", "problem", "attempts", "error"))
    failed = list(AuditEntry.objects.filter(status="failed").values_list("zoho_id", "message"))
    return f"unlinked {sorted(set(ids) - links)}; runs {runs}; failures {failed}"


def test_an_outage_and_unreadable_ids_leave_no_run_running_no_record_synced_twice_and_an_empty_queue(
        portal, sandbox, live_server, proxy, worker):
    sandbox.seed(zoho={"accounts": 24, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    ids = sorted(str(row["id"]) for row in portal.zoho.iter_records("Accounts", ["Account_Name"]))
    before, during, after = ids[:8], ids[8:16], ids[16:]
    row = organisation_settings(portal.organisation)
    row.on_save_sync = True
    row.save()
    channel = ZohoChannel.objects.get(organisation=portal.organisation)
    assert channel.registered

    _edit(portal, before, "Before")
    time.sleep(3)
    proxy.down()
    outage_started = time.monotonic()
    _edit(portal, during, "During")
    _notify_unreadable(live_server, channel)
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    assert SyncRun.objects.filter(problem="unreachable").exists(), worker.log()[-3000:]  # the outage was felt
    proxy.up()
    _edit(portal, after, "After")

    def settled():
        names = {str(a["id"]): a["Account_Name"] for a in portal.zoho.iter_records("Accounts", ["Account_Name"])}
        links = dict(RecordLink.objects.filter(module="accounts").values_list("zoho_id", "name"))
        return (set(links) == set(ids) and all(links[i] == names[i] for i in ids)
                and not SyncRun.objects.filter(status__in=(RunStatus.PENDING, RunStatus.RUNNING)).exists()
                and AuditEntry.objects.filter(status="failed", zoho_id__in=UNREADABLE_IDS).count() >= 5)

    _beat_until(settled, timeout=300, message="every edit synced and every run finished", state=lambda: _state(ids))
    # Every queue drains, the upkeep too (a reference refresh that met the outage retries after a short countdown here).
    _beat_until(lambda: not _queued_tasks(), timeout=90, message="the queues to drain", state=_queued_tasks)

    assert not SyncRun.objects.filter(status__in=(RunStatus.PENDING, RunStatus.RUNNING)).exists()
    # No record was synced twice: one item per record across all runs, one Xero contact, one successful entry.
    synced = Counter(SyncItem.objects.filter(run__trigger="on_save", source_id__in=ids).exclude(state="failed")
                     .values_list("source_id", flat=True))
    assert set(synced) == set(ids) and max(synced.values()) == 1, synced
    contacts = [c for c in portal.xero.iter_contacts(include_archived=True)]
    assert sorted(Counter(c.get("ContactNumber") for c in contacts).values()) == [1] * len(ids)
    outcomes = Counter(AuditEntry.objects.filter(zoho_id__in=ids).values_list("zoho_id", "status"))
    assert outcomes == Counter({(i, "success"): 1 for i in ids}), outcomes
    # Each unreadable id failed exactly once.
    failures = Counter(AuditEntry.objects.filter(zoho_id__in=UNREADABLE_IDS).values_list("zoho_id", "status"))
    assert failures == Counter({(i, "failed"): 1 for i in UNREADABLE_IDS}), failures
    assert _queued_tasks() == []
