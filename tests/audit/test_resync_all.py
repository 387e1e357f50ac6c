""""Resync all failed" walks the filtered failures in chunks and queues each record once, from its latest
failed entry; records fixed since, other organisations, other filters and later entries are left alone."""

import pytest

from audit import resync, tasks
from audit.models import Direction, Module, ResyncBatch, ResyncRequest, ResyncStatus, Status
from tests.audit.factories import days_ago, hours_ago, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Resync tasks handed to the broker (entry ids, queue); the walk's own steps run at once."""
    resyncs = []
    monkeypatch.setattr(tasks.resync_entry_task, "apply_async",
                        lambda args=None, kwargs=None, **options: resyncs.append((args[1], options["queue"])))
    monkeypatch.setattr(tasks.resync_failed_task, "apply_async",
                        lambda args=None, kwargs=None, **options: tasks.resync_failed_task.apply(args))
    return resyncs


def _fail(organisation, name, hours, **fields):
    values = {"module": Module.PRODUCTS, "status": Status.FAILED, "zoho_id": f"zoho-{name}",
              "xero_tenant_id": "tenant-1", "record_name": name}
    return make_entry(organisation, created_at=hours_ago(hours), **{**values, **fields})


def _walk(organisation, filters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = resync.start_batch(organisation, filters)
    batch.refresh_from_db()
    return batch


def test_it_queues_the_latest_failed_entry_of_each_matching_record_once(
        organisation, other_organisation, sent, django_capture_on_commit_callbacks):
    _fail(organisation, "gadget", 30)
    _fail(organisation, "gadget", 20)
    latest_gadget = _fail(organisation, "gadget", 10)
    widget = _fail(organisation, "widget", 5)
    _fail(organisation, "fixed", 8)
    make_entry(organisation, module=Module.PRODUCTS, status=Status.SUCCESS, zoho_id="zoho-fixed",
               xero_tenant_id="tenant-1", created_at=hours_ago(2))  # fixed since: left alone
    _fail(organisation, "account", 4, module=Module.ACCOUNTS)  # another module than the filter
    _fail(organisation, "old", 24 * 40)  # before the From date
    _fail(organisation, "other-tenant", 6, xero_tenant_id="tenant-2")  # another record: same id, other Xero org
    _fail(other_organisation, "gadget", 3)  # another organisation
    make_entry(organisation, module=Module.CONNECTION, direction=Direction.NONE, status=Status.FAILED)

    batch = _walk(organisation, {"module": "products", "status": "failed",
                                 "date_from": days_ago(30).date().isoformat()}, django_capture_on_commit_callbacks)

    requests = ResyncRequest.objects.filter(batch=batch)
    assert {r.entry_id for r in requests} == {latest_gadget.pk, widget.pk,
                                              ResyncRequest.objects.get(record_key__startswith="tenant-2").entry_id}
    assert sorted(entry_id for entry_id, _queue in sent) == sorted(str(r.entry_id) for r in requests)
    assert {queue for _id, queue in sent} == {"bulk"}
    assert (batch.status, batch.queued, batch.skipped) == (ResyncStatus.DONE, 3, 1)
    assert batch.finished_at is not None


def test_a_search_narrows_the_set_like_the_page(organisation, sent, django_capture_on_commit_callbacks):
    harbour = _fail(organisation, "Harbour Supplies", 3)
    _fail(organisation, "Kakadu Outfitters", 2)
    batch = _walk(organisation, {"q": "harbour"}, django_capture_on_commit_callbacks)
    assert [r.entry_id for r in batch.requests.all()] == [harbour.pk]


def test_a_success_filter_queues_nothing(organisation, sent, django_capture_on_commit_callbacks):
    _fail(organisation, "gadget", 3)
    batch = _walk(organisation, {"status": "success"}, django_capture_on_commit_callbacks)
    assert batch.queued == 0 and sent == []


def test_the_walk_goes_chunk_by_chunk_and_a_record_spanning_chunks_is_queued_once(
        organisation, sent, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(resync, "BATCH_CHUNK", 2)
    newest = {}
    for i in range(7):
        for name in ("a", "b", "c"):  # interleaved, so each record's entries fall into several chunks
            newest[name] = _fail(organisation, name, 100 - i * 3 - len(name))
    batch = _walk(organisation, {}, django_capture_on_commit_callbacks)
    assert batch.scanned == 21 and batch.queued == 3
    assert {r.entry_id for r in batch.requests.all()} == {e.pk for e in newest.values()}
    assert len(sent) == 3


def test_it_stops_at_the_limit_and_says_so(organisation, sent, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_RESYNC_ALL_LIMIT = 2
    for i in range(5):
        _fail(organisation, f"record {i}", i + 1)
    batch = _walk(organisation, {}, django_capture_on_commit_callbacks)
    assert (batch.queued, batch.limit_reached, len(sent)) == (2, True, 2)
    assert {r.entry.record_name for r in batch.requests.select_related("entry")} == {"record 0", "record 1"}


def test_a_record_with_a_resync_already_queued_is_not_queued_again(organisation, sent,
                                                                  django_capture_on_commit_callbacks):
    busy = _fail(organisation, "busy", 3)
    ResyncRequest.objects.create(organisation=organisation, entry=busy, record_key=resync.record_key(busy))
    idle = _fail(organisation, "idle", 4)
    batch = _walk(organisation, {}, django_capture_on_commit_callbacks)
    assert [r.entry_id for r in batch.requests.all()] == [idle.pk]


def test_entries_written_after_the_press_are_not_walked(organisation, sent):
    _fail(organisation, "before", 3)
    batch = ResyncBatch.objects.create(organisation=organisation, filters={})
    _fail(organisation, "after", -1)  # created an hour "later" than the press
    resync.walk_batch(batch.pk, "")
    assert [r.entry.record_name for r in batch.requests.select_related("entry")] == ["before"]


def test_a_duplicate_delivery_of_a_step_does_nothing(organisation, sent, monkeypatch):
    monkeypatch.setattr(resync, "BATCH_CHUNK", 1)
    for name in ("x", "y"):
        _fail(organisation, name, 3 if name == "x" else 4)
    batch = ResyncBatch.objects.create(organisation=organisation, filters={})
    next_cursor = resync.walk_batch(batch.pk, "")
    assert next_cursor and resync.walk_batch(batch.pk, "") is None  # the first step again: already taken
    assert ResyncRequest.objects.count() == 1
    resync.walk_batch(batch.pk, next_cursor)
    resync.walk_batch(batch.pk, next_cursor)
    assert ResyncRequest.objects.count() == 2
