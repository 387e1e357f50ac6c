"""Retries that converge: a retried On Save or webhook task resumes its own run; a run that keeps failing ends
failed after a bounded number of attempts, with one failure entry per record, and nothing re-queues it; an id
that can never be read (malformed, failing, or deleted) fails once while the others of its batch sync. The tasks run eagerly (Celery re-applies
a retried task at once, with the same task id); the sandbox serves the providers over HTTP."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from connections.exceptions import TransientError
from connections.providers.zoho.client import ZohoClient
from sync import runs, services
from sync.models import ItemState, RecordLink, RunProblem, RunStatus, SyncRun
from sync.tasks import process_run_task, resume_stale_runs_task
from sync.triggers import tasks

from .portal_setup import connect, start_syncing

OVERFLOWING_ID = "9999999999999999999"  # digits, but beyond a 64-bit id: not a Zoho id


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    settings.PROVIDER_MAX_ATTEMPTS = 1  # no in-process retries: each failure reaches the run at once
    settings.SYNC_RUN_MAX_ATTEMPTS = 3
    settings.SYNC_RETRY_BACKOFF_SECONDS = 0
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


@pytest.fixture
def accounts(portal, sandbox):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    return sorted(str(row["id"]) for row in portal.zoho.iter_records("Accounts", ["Account_Name"]))


def _on_save(portal, ids, task_id="on-save-task-1"):
    return tasks.zoho_changed_task.apply(args=[str(portal.organisation.pk), "accounts", ids], task_id=task_id)


def _failures(**filters):
    return Counter(AuditEntry.objects.filter(status="failed", **filters).values_list("zoho_id", flat=True))


def _fail_reads(monkeypatch, times: int):
    """Zoho reads by id fail `times` times (an outage), then work again."""
    real = ZohoClient.get_records_by_ids
    left = {"failures": times}

    def flaky(self, *args, **kwargs):
        if left["failures"] > 0:
            left["failures"] -= 1
            raise TransientError("GET Accounts: ConnectionError", provider="zoho")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ZohoClient, "get_records_by_ids", flaky)


def test_a_retried_on_save_task_resumes_its_own_run_instead_of_creating_another(portal, accounts, monkeypatch):
    _fail_reads(monkeypatch, times=1)

    assert _on_save(portal, accounts[:2]).get() == 2

    [run] = SyncRun.objects.filter(trigger="on_save")
    assert run.status == RunStatus.DONE and run.done == 2 and run.attempts == 0 and not run.problem
    assert RecordLink.objects.filter(module="accounts").count() == 2
    assert len(list(portal.xero.iter_contacts(include_archived=True))) == 2
    assert not _failures()


def test_a_run_that_keeps_failing_ends_failed_after_its_attempts_with_one_entry_per_record(portal, accounts, sandbox):
    sandbox.configure(inject={"zoho": {"500": 1.0}})  # Zoho is down for good

    _on_save(portal, accounts[:2])

    [run] = SyncRun.objects.filter(trigger="on_save")
    assert (run.status, run.attempts, run.problem, run.problem_provider) == (
        RunStatus.FAILED, 3, RunProblem.UNREACHABLE, "zoho")
    assert _failures() == Counter({accounts[0]: 1, accounts[1]: 1})
    entry = AuditEntry.objects.filter(status="failed").first()
    assert "Zoho CRM could not be reached after 3 attempts" in entry.message
    assert list(run.items.values_list("state", flat=True)) == [ItemState.FAILED, ItemState.FAILED]

    # Nothing re-queues it, and a second delivery of the same task creates nothing new.
    assert runs.requeue_stale_runs() == [] and resume_stale_runs_task.apply().get() == 0
    sandbox.configure(inject={"zoho": {"500": 0.0}})
    _on_save(portal, accounts[:2])
    assert SyncRun.objects.filter(trigger="on_save").count() == 1 and _failures() == Counter(
        {accounts[0]: 1, accounts[1]: 1})


def test_an_unreadable_id_fails_once_and_the_others_of_its_batch_sync(portal, accounts, monkeypatch):
    poisoned = accounts[2]  # Zoho answers 500 to every read that includes it, and answers the others
    real = ZohoClient.get_records_by_ids

    def failing_on_one(self, module, ids, *args, **kwargs):
        if poisoned in ids:
            raise TransientError("GET Accounts answered 500", provider="zoho")
        return real(self, module, ids, *args, **kwargs)

    monkeypatch.setattr(ZohoClient, "get_records_by_ids", failing_on_one)
    ids = [accounts[0], poisoned, OVERFLOWING_ID, accounts[1], "12x4", "4242"]  # "4242": no such record (deleted)

    _on_save(portal, ids)

    [run] = SyncRun.objects.filter(trigger="on_save")
    assert run.status == RunStatus.DONE and (run.done, run.failed) == (2, 4)
    assert run.attempts == 0  # the second attempt narrowed the failure down to the poisoned id and went on
    assert _failures() == Counter({poisoned: 1, OVERFLOWING_ID: 1, "12x4": 1, "4242": 1})
    assert "is not a valid Zoho CRM record id" in AuditEntry.objects.get(zoho_id="12x4").message
    assert "is not a valid Zoho CRM record id" in AuditEntry.objects.get(zoho_id=OVERFLOWING_ID).message
    assert "Zoho CRM has no record 4242" in AuditEntry.objects.get(zoho_id="4242").message
    assert "failed to return the record" in AuditEntry.objects.get(zoho_id=poisoned).message
    assert set(RecordLink.objects.values_list("zoho_id", flat=True)) == {accounts[0], accounts[1]}

    # The same notification again (a new task) fails the same id once more, and nothing piles up.
    _on_save(portal, [poisoned], task_id="on-save-task-2")
    assert SyncRun.objects.filter(trigger="on_save", status__in=["pending", "running"]).count() == 0
    assert _failures()[poisoned] == 2


def test_a_retried_webhook_task_resumes_its_run(portal, sandbox, monkeypatch):
    sandbox.seed(xero={"contacts": 2, "items": 0, "invoices": 0}, zoho={"accounts": 0, "products": 0, "invoices": 0})
    contact_ids = [c["ContactID"] for c in portal.xero.iter_contacts(include_archived=True)]
    from connections.providers.xero.client import XeroClient

    real = XeroClient.get_contacts_by_ids
    left = {"failures": 2}

    def flaky(self, *args, **kwargs):
        if left["failures"] > 0:
            left["failures"] -= 1
            raise TransientError("GET Contacts answered 503", provider="xero")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(XeroClient, "get_contacts_by_ids", flaky)

    tasks.xero_changed_task.apply(args=[str(portal.xero_organisation.pk), "accounts", contact_ids], task_id="hook-1")

    [run] = SyncRun.objects.filter(trigger="webhook")
    assert run.status == RunStatus.DONE and run.done == 2
    accounts = list(portal.zoho.iter_records("Accounts", ["Account_Name", "Xero_Contact_ID"]))
    assert sorted(a["Xero_Contact_ID"] for a in accounts) == sorted(contact_ids)


def test_beat_counts_a_dead_workers_run_and_fails_it_at_the_bound_instead_of_requeueing_forever(portal, accounts):
    run = runs.create_run(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="system", ids=accounts)
    past = timezone.now() - timedelta(seconds=1)
    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, lease_owner="dead-worker", lease_until=past)

    requeued = runs.requeue_stale_runs()
    assert [pk for pk, _owner in requeued] == [run.pk]
    assert runs.requeue_stale_runs() == []  # the new owner's lease: not re-queued again at the next tick
    SyncRun.objects.filter(pk=run.pk).update(lease_until=past)
    assert len(runs.requeue_stale_runs()) == 1
    SyncRun.objects.filter(pk=run.pk).update(lease_until=past)

    assert runs.requeue_stale_runs() == []  # the third attempt: the bound
    run.refresh_from_db()
    assert (run.status, run.problem) == (RunStatus.FAILED, RunProblem.STALLED)
    assert _failures() == Counter(dict.fromkeys(accounts, 1))


def test_the_requeued_task_owns_the_run_and_finishes_it(portal, accounts):
    run = runs.create_run(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="system", ids=accounts)
    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, lease_owner="dead-worker",
                                             lease_until=timezone.now() - timedelta(seconds=1))
    [(pk, owner)] = runs.requeue_stale_runs()

    assert process_run_task.apply(args=[str(pk)], task_id=owner).get() == RunStatus.DONE
    assert RecordLink.objects.filter(module="accounts").count() == 3


def test_a_cancelled_run_stops_and_lists_its_records_as_skipped(portal, accounts):
    run = services.prepare_run(portal.xero_organisation, "accounts", "zoho_to_xero", ids=accounts, trigger="system")

    assert runs.cancel_run(run) and not runs.cancel_run(run)
    assert runs.process_run(run.pk) is None
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and not RecordLink.objects.exists()
    assert AuditEntry.objects.filter(status="skipped").count() == 3
