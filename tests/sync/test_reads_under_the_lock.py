"""Reads under the lock, with real concurrent runs on PostgreSQL and Redis against the sandbox over HTTP.

1. Two triggers of one record at once: the run that read the record before the other synced a newer version
   never writes its older read, whether the two edits are seconds apart (the snapshot is older than what the link
   saw) or within one second (modification times cannot tell them apart: the record is read again under the
   module lock).
2. Match-and-create is serialised per Zoho module across all Xero organisations of the tenant: two organisations'
   runs, started at the same moment in two threads, each with the same customer, create one Zoho account; the
   second run waits for the lock and matches it. The module lock's holds never overlap.
"""

import contextlib
import threading
import time
from datetime import datetime

import pytest
from django.db import connection

from audit.models import AuditEntry
from sync import runs, services
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink
from tests.scenarios.world import connect_two

from .portal_setup import connect, start_syncing, writes
from .workers import real_services

pytestmark = [
    pytest.mark.skipif(not real_services(), reason="needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)"),
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


def _ok(results):
    assert all(result.ok for result in results), [getattr(result, "errors", result) for result in results]
    return [result.id for result in results]


def _in_thread(target, errors):
    def run():
        try:
            target()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _phone(portal):
    [contact] = [c for c in portal.xero.iter_contacts() if c["Name"] == "Acme"]
    return next((p.get("PhoneNumber") for p in contact.get("Phones") or [] if p.get("PhoneType") == "DEFAULT"), "")


def _same_second_as(sandbox, moment: str) -> None:
    """Move the sandbox clock back to a tenth of a second after the start of `moment`'s second."""
    now = datetime.fromisoformat(sandbox.advance_clock(0)["now"])
    then = datetime.fromisoformat(moment).replace(microsecond=0)
    sandbox.advance_clock(-(now - then).total_seconds() + 0.1)


@pytest.mark.parametrize("apart", ["seconds apart", "within one second"])
def test_a_trigger_that_read_before_another_synced_a_newer_version_never_writes_its_older_read(
        sandbox, owner_client, organisation, owner, settings, monkeypatch, apart):
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    [acme] = _ok(portal.zoho.insert_records("Accounts", [{"Account_Name": "Acme", "Phone": "100"}]))
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, ids=[acme], trigger="cron")
    assert _phone(portal) == "100"

    # On Save of a first edit reads the record, then is held up just before it takes the module lock
    _ok(portal.zoho.update_records("Accounts", [{"id": acme, "Phone": "200"}]))
    first = portal.zoho.get_record("Accounts", acme)
    read, go = threading.Event(), threading.Event()
    original = runs._dependencies

    def held_up(run, context, sources):
        if run.trigger == "on_save":
            read.set()
            assert go.wait(60)
        return original(run, context, sources)

    monkeypatch.setattr(runs, "_dependencies", held_up)
    errors = []
    on_save = _in_thread(lambda: services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO,
                                                       ids=[acme], trigger="on_save"), errors)
    try:
        assert read.wait(60), errors
        # a second edit, which the cron (another trigger) reads and writes first
        if apart == "within one second":
            _same_second_as(sandbox, first["Modified_Time"])
        else:
            sandbox.advance_clock(2)
        _ok(portal.zoho.update_records("Accounts", [{"id": acme, "Phone": "300"}]))
        second = portal.zoho.get_record("Accounts", acme)
        assert (second["Modified_Time"] == first["Modified_Time"]) == (apart == "within one second"), (first, second)
        services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, ids=[acme], trigger="cron")
        assert _phone(portal) == "300"
        before = writes(sandbox, "xero")
    finally:
        go.set()
        on_save.join(120)
        sandbox.reset_clock()
    assert not errors, errors
    assert writes(sandbox, "xero") == before, "the On Save run wrote its older read"
    assert _phone(portal) == "300"
    assert not AuditEntry.objects.filter(trigger="on_save", action__in=["create", "update"]).exists()


def test_two_organisations_runs_at_once_create_one_zoho_account_and_never_hold_the_module_lock_together(
        sandbox, owner_client, organisation, owner, settings, monkeypatch):
    _zoho, orgs = connect_two(sandbox, owner_client, organisation, owner, settings)
    for org in orgs:
        _ok(org.xero.save_contacts([{"Name": "Harbour Traders", "EmailAddress": "accounts@harbour.example"}],
                                   create_only=True))
    sandbox.configure(latency={"zoho": 0.2})  # a hold takes a while: the other run's wait is real
    events, lock = [], threading.Lock()
    both_want = threading.Barrier(2, timeout=60)
    original = runs.module_lock

    @contextlib.contextmanager
    def recording(xero_organisation, module, **kwargs):
        if module == "accounts" and not getattr(recording.local, "entered", False):
            recording.local.entered = True
            both_want.wait()  # both runs ask for the lock at the same moment
        with original(xero_organisation, module, **kwargs) as stale:
            with lock:
                events.append(("hold", xero_organisation.tenant_name, module, time.monotonic()))
            try:
                yield stale
            finally:
                with lock:
                    events.append(("release", xero_organisation.tenant_name, module, time.monotonic()))

    recording.local = threading.local()
    monkeypatch.setattr(runs, "module_lock", recording)
    errors = []
    threads = [_in_thread(lambda org=org: services.sync_records(org.xero_organisation, "accounts", XERO_TO_ZOHO,
                                                                trigger="cron"), errors) for org in orgs]
    for thread in threads:
        thread.join(300)
    sandbox.configure(latency={"zoho": 0})
    assert not errors, errors

    accounts = [r for r in _zoho.iter_records("Accounts", ["Account_Name"]) if r["Account_Name"] == "Harbour Traders"]
    assert len(accounts) == 1, accounts
    links = RecordLink.objects.filter(module="accounts", name="Harbour Traders")
    assert links.count() == 2 and {link.zoho_id for link in links} == {str(accounts[0]["id"])}
    created, matched = sorted(link.matched_by for link in links)
    assert created == "" and matched, (created, matched)  # one run created it, the other matched it
    holds = [(tenant, at) for kind, tenant, module, at in events if kind == "hold" and module == "accounts"]
    releases = [at for kind, _tenant, module, at in events if kind == "release" and module == "accounts"]
    assert len({tenant for tenant, _at in holds}) == 2
    intervals = sorted(zip([at for _t, at in holds], sorted(releases), strict=True))
    for (_start, end), (next_start, _next_end) in zip(intervals, intervals[1:], strict=False):
        assert next_start >= end, "two runs held the accounts lock at once"
