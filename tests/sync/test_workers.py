"""Acceptance with real Celery workers on PostgreSQL and Redis, against the sandbox over HTTP:

2. a worker killed with SIGKILL in the middle of syncing 1,000 accounts, then another worker: every record
   synced exactly once, no duplicate in Xero;
3. with 20 % of the sandbox's responses replaced by 429 or 500: every record synced, no duplicate.
"""

from collections import Counter

import pytest
from django.db.models import Sum

from audit.models import AuditEntry
from connections.models import ApiCallCounter
from sync import runs
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import ItemState, RecordLink, RunStatus, SyncRun
from sync.tasks import process_run_task, resume_stale_runs_task

from .portal_setup import connect, start_syncing
from .worker_limits import fresh_limits
from .workers import Worker, real_services, wait_for

pytestmark = [
    pytest.mark.skipif(not real_services(), reason="needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)"),
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    fresh_limits(portal)  # the workers keep the real limits; earlier tests' calls must not count against them
    return portal


@pytest.fixture
def workers():
    started = []

    def start(name):
        worker = Worker(name).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _run(pk):
    return SyncRun.objects.get(pk=pk)


def _zoho_ids(portal, module="Accounts"):
    return {str(row["id"]) for row in portal.zoho.iter_records(module, ["Account_Name"])}


def _contacts(portal):
    return list(portal.xero.iter_contacts(include_archived=True))


def test_a_worker_killed_mid_run_loses_nothing_and_repeats_nothing(portal, sandbox, workers):
    sandbox.seed(zoho={"accounts": 1000, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    zoho_ids = _zoho_ids(portal)
    assert len(zoho_ids) == 1000
    sandbox.configure(latency={"xero": 0.25})  # each Xero call takes a while: the kill lands mid-run
    run = runs.create_run(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="historical")

    first = workers("first")
    process_run_task.delay(str(run.pk))
    wait_for(lambda: _run(run.pk).done >= 300, timeout=240, message="the first worker to sync 300 accounts")
    first.kill()
    killed_at = _run(run.pk)
    assert killed_at.status == RunStatus.RUNNING and killed_at.done < 1000

    workers("second")
    wait_for(lambda: runs.resume_stale_runs(), timeout=60, message="the dead worker's lease to expire")
    resume_stale_runs_task.delay()
    wait_for(lambda: _run(run.pk).status == RunStatus.DONE, timeout=300, message="the second worker to finish")

    run = _run(run.pk)
    assert run.done == 1000 and run.failed == 0
    assert not run.items.exclude(state=ItemState.DONE).exists()
    contacts = _contacts(portal)
    numbers = Counter(contact.get("ContactNumber") for contact in contacts)
    assert len(contacts) == 1000 and set(numbers) == zoho_ids and max(numbers.values()) == 1
    assert RecordLink.objects.filter(module="accounts").count() == 1000
    per_record = Counter(AuditEntry.objects.filter(module="accounts").values_list("zoho_id", flat=True))
    assert set(per_record) == zoho_ids and max(per_record.values()) == 1  # one outcome per record
    assert not AuditEntry.objects.filter(module="accounts", status="failed").exists()


def test_with_a_fifth_of_responses_failing_every_record_is_synced_once(portal, sandbox, workers):
    sandbox.seed(zoho={"accounts": 1000, "products": 0, "invoices": 0},
                 xero={"contacts": 100, "items": 0, "invoices": 0})
    zoho_ids = _zoho_ids(portal)
    xero_before = {c["ContactID"] for c in _contacts(portal)}
    sandbox.configure(inject={"xero": {"429": 0.1, "500": 0.1}, "zoho": {"429": 0.1, "500": 0.1}})
    workers("faulty")
    forward = runs.create_run(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="historical")
    backward = runs.create_run(portal.xero_organisation, "accounts", XERO_TO_ZOHO, trigger="historical")
    process_run_task.delay(str(forward.pk))
    wait_for(lambda: _run(forward.pk).status == RunStatus.DONE, timeout=600, interval=1, message="Zoho -> Xero")
    process_run_task.delay(str(backward.pk))
    wait_for(lambda: _run(backward.pk).status == RunStatus.DONE, timeout=600, interval=1, message="Xero -> Zoho")
    sandbox.configure(inject={"xero": {"429": 0.0, "500": 0.0}, "zoho": {"429": 0.0, "500": 0.0}})

    # Failures did happen: the clients counted the 429s they received (the 500s are retried the same way).
    assert ApiCallCounter.objects.aggregate(total=Sum("rate_limited"))["total"] > 0
    contacts = _contacts(portal)
    numbers = Counter(c.get("ContactNumber") for c in contacts if c["ContactID"] not in xero_before)
    assert set(numbers) == zoho_ids and max(numbers.values()) == 1 and len(contacts) == 1000 + len(xero_before)
    accounts = list(portal.zoho.iter_records("Accounts", ["Account_Name", "Xero_Contact_ID"]))
    from_xero = Counter(a.get("Xero_Contact_ID") for a in accounts if a.get("Xero_Contact_ID"))
    assert set(from_xero) == xero_before and max(from_xero.values()) == 1
    assert len(accounts) == 1000 + len(xero_before)
    assert RecordLink.objects.filter(module="accounts").count() == 1000 + len(xero_before)
    assert not AuditEntry.objects.filter(module="accounts", status="failed").exists()
