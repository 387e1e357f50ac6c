"""The resync task: it reloads the entry within its organisation, claims the request once (a duplicate delivery
resyncs nothing), and turns provider trouble into a retry or a failed entry that says what to do."""

import datetime

import pytest
from django.utils import timezone

from audit import resync
from audit.models import AuditEntry, Module, ResyncRequest, ResyncStatus, Status, Trigger
from audit.tasks import resync_entry_task
from connections.exceptions import AuthRevoked, TransientError
from tests.audit.factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(organisation):
    return make_entry(organisation, record_name="Harbour Supplies", module=Module.PRODUCTS, status=Status.FAILED,
                      zoho_id="5725767000000600001", xero_tenant_id="tenant-1")


@pytest.fixture
def fake_resync(monkeypatch):
    """Stands in for sync.services.resync_entry: writes the new linked entry, counts the calls."""
    calls = []

    def resync_entry(entry, trigger="resync"):
        calls.append((entry.pk, trigger))
        return make_entry(entry.organisation, record_name=entry.record_name, module=entry.module,
                          status=Status.SUCCESS, trigger=Trigger.RESYNC, resync_of=entry)

    monkeypatch.setattr("sync.services.resync_entry", resync_entry)
    return calls


def _request(entry, **fields):
    return ResyncRequest.objects.create(organisation_id=entry.organisation_id, entry=entry,
                                        record_key=resync.record_key(entry), **fields)


def _run(entry, request, organisation_id=None):
    return resync_entry_task.apply(args=[str(organisation_id or entry.organisation_id), str(entry.pk),
                                         str(request.pk)]).get()


def test_the_task_resyncs_the_entry_and_records_the_new_entry(failed, fake_resync):
    request = _request(failed)
    new_id = _run(failed, request)
    request.refresh_from_db()
    assert fake_resync == [(failed.pk, "resync")]
    assert (request.status, str(request.result_id), request.attempts) == (ResyncStatus.DONE, new_id, 1)
    assert AuditEntry.objects.get(pk=new_id).resync_of == failed


def test_a_duplicate_delivery_of_the_same_request_does_not_resync_twice(failed, fake_resync):
    request = _request(failed)
    _run(failed, request)
    assert _run(failed, request) is None
    assert len(fake_resync) == 1 and AuditEntry.objects.filter(resync_of=failed).count() == 1


def test_a_delivery_while_another_worker_holds_the_request_does_nothing(failed, fake_resync):
    request = _request(failed, status=ResyncStatus.RUNNING, started_at=timezone.now())
    assert _run(failed, request) is None and fake_resync == []


def test_a_request_whose_worker_died_is_taken_again_after_the_lease(failed, fake_resync):
    stale = timezone.now() - resync.CLAIM_LEASE - datetime.timedelta(seconds=1)
    request = _request(failed, status=ResyncStatus.RUNNING, started_at=stale)
    assert _run(failed, request) is not None and len(fake_resync) == 1


def test_the_entry_is_reloaded_within_its_organisation_only(failed, other_organisation, fake_resync):
    request = _request(failed)
    assert _run(failed, request, organisation_id=other_organisation.pk) is None
    request.refresh_from_db()
    assert fake_resync == [] and request.status == ResyncStatus.QUEUED


def test_a_deleted_entry_closes_its_request_quietly(failed, fake_resync):
    request = _request(failed)
    args = [str(failed.organisation_id), str(failed.pk), str(request.pk)]
    failed.delete()  # the request goes with it (cascade); a delivery after that must not fail
    assert resync_entry_task.apply(args=args).get() is None and fake_resync == []


def test_a_revoked_grant_ends_in_a_failed_entry_asking_to_reconnect(failed, monkeypatch):
    def revoked(entry, trigger="resync"):
        raise AuthRevoked("invalid_grant", provider="xero")

    monkeypatch.setattr("sync.services.resync_entry", revoked)
    request = _request(failed)
    _run(failed, request)
    request.refresh_from_db()
    new = AuditEntry.objects.get(resync_of=failed)
    assert request.status == ResyncStatus.FAILED and request.result == new
    assert (new.status, new.trigger, new.record_name) == (Status.FAILED, Trigger.RESYNC, "Harbour Supplies")
    assert "Reconnect it on the Connections page" in new.message


def test_a_provider_that_stays_unavailable_is_retried_then_reported(failed, monkeypatch):
    calls = []

    def unavailable(entry, trigger="resync"):
        calls.append(1)
        raise TransientError("503 from Xero", provider="xero")

    monkeypatch.setattr("sync.services.resync_entry", unavailable)
    request = _request(failed)
    _run(failed, request)
    request.refresh_from_db()
    assert len(calls) == resync_entry_task.max_retries + 1  # each retry claimed the released request again
    assert request.status == ResyncStatus.FAILED and request.attempts == len(calls)
    assert "could not be reached" in AuditEntry.objects.get(resync_of=failed).message


def test_without_a_connected_xero_organisation_the_real_resync_says_what_to_do(failed):
    """Through sync.services.resync_entry itself: nothing is connected, so the new entry says so."""
    request = _request(failed)
    new_id = _run(failed, request)
    new = AuditEntry.objects.get(pk=new_id)
    assert new.resync_of == failed and new.status == Status.FAILED and new.trigger == Trigger.RESYNC
    assert "connections are not ready" in new.message
    request.refresh_from_db()
    assert request.status == ResyncStatus.FAILED and request.result == new
