"""Issue 17, Xero -> Zoho: the dry run's Xero lists are the job's snapshots, as Zoho's are the other way.

The chunks used to read their Xero records again by IDs (at N=300, 21 Xero calls against a floor of 9). The
by-IDs read is the same paged list endpoint filtered by IDs, so the listed record is what it would return; the
job now writes from the dry run's records and, when it starts or resumes, reads only what changed since: one
If-Modified-Since list per module (Items: one GET of all of them, since Xero deletes items for good and a list
of changes cannot show that)."""

import pytest

from sync.models import RecordLink
from sync.trigger_models import HistoricalItem, HistoricalItemState, JobStatus
from sync.triggers import historical

from .test_historical_call_counts import ACCOUNTS, INVOICES, PRODUCTS, _calls, _world, quiet_queue  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def _pages(count: int) -> int:
    return max(1, -(-count // 100))  # Xero's page size: 100


def _run(job) -> None:
    historical.start(job)
    while historical.work(job.pk, slice_seconds=20) == "more":
        pass
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.status


def test_a_xero_to_zoho_job_reads_each_xero_record_once_and_then_only_the_changes(sandbox, settings,
                                                                                    quiet_queue):  # noqa: F811
    portal, owner = _world(sandbox, settings, "xero_to_zoho", run=1)
    sandbox.reset_counters()
    job = historical.create_job(portal.xero_organisation, modules=["invoices"], direction="xero_to_zoho", user=owner)
    historical.plan(job.pk)
    job.refresh_from_db()
    assert not HistoricalItem.objects.filter(job=job, snapshot__isnull=True).exists()  # every record read once
    assert set(job.snapshot_marks) >= {"accounts", "products", "invoices"}

    _run(job)

    assert job.done > 0
    reads = {endpoint: count for (provider, method, endpoint), count in _calls(sandbox).items()
             if provider == "xero" and method == "GET"}
    # the dry run's list, then one If-Modified-Since list on start: nothing read again by IDs
    assert reads == {"api.xro/2.0/Contacts": _pages(ACCOUNTS) + 1, "api.xro/2.0/Invoices": _pages(INVOICES) + 1,
                     "api.xro/2.0/Items": 1 + 1}, reads


def test_what_changed_in_xero_after_the_dry_run_is_what_the_job_writes(sandbox, settings, quiet_queue):  # noqa: F811
    portal, owner = _world(sandbox, settings, "xero_to_zoho", run=1)
    portal.xero.save_items([{"Code": "GONE-1", "Name": "Deleted after the dry run"}], create_only=True)
    job = historical.create_job(portal.xero_organisation, modules=["invoices"], direction="xero_to_zoho", user=owner)
    historical.plan(job.pk)
    job.refresh_from_db()
    # after the dry run, in Xero: a contact is renamed and an item (that no invoice uses) is deleted
    contact_id = HistoricalItem.objects.filter(job=job, module="accounts").order_by("id").first().source_id
    portal.xero.save_contacts([{"ContactID": contact_id, "Name": "Renamed after the dry run"}])
    gone = next(item["ItemID"] for item in portal.xero.get_items() if item.get("Code") == "GONE-1")
    assert HistoricalItem.objects.get(job=job, module="products", source_id=gone).snapshot is not None
    portal.xero.delete_item(gone)

    _run(job)

    account = RecordLink.objects.get(module="accounts", xero_id=contact_id).zoho_id
    assert portal.zoho.get_record("Accounts", account)["Account_Name"] == "Renamed after the dry run"
    assert not RecordLink.objects.filter(module="products", xero_id=gone).exists()
    deleted = HistoricalItem.objects.get(job=job, module="products", source_id=gone)
    assert deleted.state == HistoricalItemState.FAILED and deleted.snapshot is None
