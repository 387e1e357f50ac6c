"""Historical Sync: the dry run's reasons, re-sync all, date ranges, pause/resume/cancel from the page (htmx),
resuming after a crash without duplicates, and who may see and control a job."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sync.models import RecordLink
from sync.trigger_models import HistoricalItem, HistoricalJob, JobStatus
from sync.triggers import historical, tasks

from .factories import XeroOrganisationFactory
from .portal_setup import connect, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return connect(sandbox, owner_client, organisation, owner, settings)


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    calls = []
    for name in ("historical_plan_task", "historical_run_task"):
        monkeypatch.setattr(getattr(tasks, name), "apply_async",
                            lambda args=None, kwargs=None, _name=name, **options: calls.append((_name, args)))
    return calls


def _job(portal, **options):
    options.setdefault("modules", ["accounts"])
    options.setdefault("direction", "zoho_to_xero")
    return historical.plan(historical.create_job(portal.xero_organisation, **options).pk)


def _finish(job):
    if job.status == JobStatus.PLANNED:
        historical.start(job)
    while historical.work(job.pk, slice_seconds=0) == "more":
        pass
    job.refresh_from_db()
    return job


def test_the_dry_run_says_what_xero_would_refuse_and_why(portal, sandbox, owner_client):
    # Ten products that sync, and the demo's two that fail on purpose: no code, and a tax without a Xero rate.
    sandbox.seed(zoho={"accounts": 1, "products": 10, "invoices": 0, "failing": True},
                 xero={"contacts": 0, "items": 0, "invoices": 0})
    from mapping import taxes

    taxes.refresh_zoho_taxes(portal.organisation, portal.zoho)
    taxes.save_tax_mappings(portal.xero_organisation, {"GST": "OUTPUT", "NZ GST": "TAX001", "VAT": "TAX002",
                                                       "Zero Rated": "EXEMPTOUTPUT"})
    taxes.save_default_accounts(portal.xero_organisation, {"products": "200"})
    job = _job(portal, modules=["products"])
    assert job.dry_run["products"]["refuse"] == 2 and job.dry_run["products"]["create"] == 10
    page = owner_client.get(reverse("sync:historical_job", args=[job.pk])).content.decode()
    assert "has no value for Item code, which Xero requires" in page  # Missing product code
    assert "The Zoho tax Luxury Tax has no Xero tax rate" in page  # Needs a tax mapping
    assert writes(sandbox, "xero") == 0


def test_an_invoice_needing_a_refused_product_waits_for_it_in_the_dry_run_as_in_the_job(portal, sandbox):
    """The demo's failing records in one job (invoices bring accounts and products): the dry run refuses the
    product without a code and the product whose tax has no Xero rate, and says the invoice that needs the first
    waits for it, with its reason, as the job then does (not "not in Xero yet": the dry run knows it is refused)."""
    from collections import Counter

    from audit.models import AuditEntry
    from mapping import record_checks, taxes
    from sync.engine import messages

    sandbox.seed(zoho={"accounts": 2, "products": 3, "invoices": 3, "failing": True},
                 xero={"contacts": 0, "items": 0, "invoices": 0})
    taxes.refresh_zoho_taxes(portal.organisation, portal.zoho)
    taxes.save_tax_mappings(portal.xero_organisation, {"GST": "OUTPUT", "NZ GST": "TAX001", "VAT": "TAX002",
                                                       "Zero Rated": "EXEMPTOUTPUT"})
    taxes.save_default_accounts(portal.xero_organisation, {"products": "200", "invoices": "200"})
    job = _job(portal, modules=["invoices"])
    planned = {module: Counter({key: number for key, number in counts["reasons"].items()
                                if key.startswith("refuse|")}) for module, counts in job.dry_run.items()}
    created = {module: counts["create"] for module, counts in job.dry_run.items()}
    assert planned["products"][f"refuse|{record_checks.NO_VALUE}"] == 1
    assert planned["invoices"][f"refuse|{messages.WAITS_FOR_DEPENDENCY}"] == 1, job.dry_run["invoices"]
    _finish(job)
    done = {module: Counter() for module in planned}
    made = dict.fromkeys(planned, 0)
    for entry in AuditEntry.objects.filter(trigger="historical"):
        if entry.status == "failed":
            done[entry.module][f"refuse|{entry.message_key}"] += 1
        elif entry.action == "create":
            made[entry.module] += 1
    assert (done, made) == (planned, created)


def test_by_default_only_unsynced_records_and_re_sync_all_updates_only_what_changed(portal, sandbox):
    sandbox.seed(zoho={"accounts": 5, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    first = _finish(_job(portal))
    assert (first.status, first.done) == (JobStatus.DONE, 5)
    link = RecordLink.objects.filter(module="accounts").first()
    portal.zoho.update_records("Accounts", [{"id": link.zoho_id, "Phone": "+49 30 5550 0002"}])
    portal.zoho.insert_records("Accounts", [{"Account_Name": "Neu GmbH"}])

    again = _job(portal)
    assert (again.total, again.dry_run["accounts"]["create"], again.dry_run["accounts"]["skip"]) == (1, 1, 5)
    everything = _job(portal, resync_all=True)
    counts = everything.dry_run["accounts"]
    assert (counts["create"], counts["update"], counts["skip"]) == (1, 1, 4)
    sandbox.reset_counters()
    historical.start(everything)
    assert _finish(everything).done == 2
    assert writes(sandbox, "xero") == 2  # one create (PUT) and one update (POST); the four unchanged: none


def test_the_date_range_limits_the_records(portal, sandbox):
    sandbox.seed(zoho={"accounts": 4, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    today = timezone.localdate()
    assert _job(portal, date_from=today + timedelta(days=1)).total == 0
    assert _job(portal, date_from=today - timedelta(days=400), date_to=today + timedelta(days=1)).total == 4


def test_a_job_killed_mid_run_resumes_where_it_stopped_without_duplicates(portal, sandbox):
    sandbox.seed(zoho={"accounts": 120, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = _job(portal)
    historical.start(job)
    assert historical.work(job.pk, owner="worker-1", slice_seconds=0) == "more"  # one chunk of 50, then "dies"
    HistoricalJob.objects.filter(pk=job.pk).update(lease_owner="worker-1",
                                                    lease_until=timezone.now() - timedelta(seconds=1))
    assert job.pk in historical.stale_jobs()  # Beat queues it again
    job = _finish(job)
    assert (job.status, job.done, job.failed) == (JobStatus.DONE, 120, 0)
    numbers = [c.get("ContactNumber") for c in portal.xero.iter_contacts()]
    assert len(numbers) == 120 and len(set(numbers)) == 120


class WorkerDied(BaseException):
    pass


def test_a_worker_dying_between_a_chunk_and_its_bookkeeping_loses_and_repeats_nothing(portal, sandbox, monkeypatch):
    sandbox.seed(zoho={"accounts": 80, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = _job(portal)
    historical.start(job)
    real_record = historical._record_run

    def die(*args):
        raise WorkerDied

    monkeypatch.setattr(historical, "_record_run", die)
    with pytest.raises(WorkerDied):
        historical.work(job.pk, owner="worker-1")
    stuck = HistoricalJob.objects.get(pk=job.pk)
    assert stuck.current_run_id and stuck.done == 0  # the chunk was written, the job did not note it
    HistoricalJob.objects.filter(pk=job.pk).update(lease_owner="worker-1",
                                                    lease_until=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(historical, "_record_run", real_record)
    sandbox.reset_counters()
    job = _finish(job)
    assert (job.status, job.done, job.failed) == (JobStatus.DONE, 80, 0)
    numbers = [c.get("ContactNumber") for c in portal.xero.iter_contacts()]
    assert len(numbers) == 80 and len(set(numbers)) == 80
    assert writes(sandbox, "xero") == 1  # only the second chunk (30 accounts) was written after the restart


def test_a_leased_job_is_not_processed_by_a_second_worker(portal, sandbox):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = _job(portal)
    historical.start(job)
    HistoricalJob.objects.filter(pk=job.pk).update(lease_owner="alive", lease_until=timezone.now() + timedelta(60))
    assert historical.work(job.pk, owner="other") == "busy"
    assert not RecordLink.objects.exists()


def test_pause_resume_and_cancel_from_the_page(portal, sandbox, owner_client, queued):
    sandbox.seed(zoho={"accounts": 60, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = _job(portal)
    control = lambda action: owner_client.post(reverse("sync:historical_control", args=[job.pk, action]),  # noqa: E731
                                               HTTP_HX_REQUEST="true")
    assert control("start").status_code == 200
    assert control("pause").status_code == 200
    assert historical.work(job.pk) == "stopped" and HistoricalItem.objects.filter(state="pending").count() == 60
    response = control("resume")
    assert 'data-status="running"' in response.content.decode()
    assert queued[-1] == ("historical_run_task", [str(job.pk)])
    assert historical.work(job.pk, slice_seconds=0) == "more"
    control("cancel")
    assert historical.work(job.pk) == "stopped"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.done == 50
    assert control("resume").status_code == 200 and HistoricalJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED


def test_the_progress_partial_polls_while_running_and_shows_the_time_left(portal, sandbox, owner_client):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = _job(portal)
    historical.start(job)
    body = owner_client.get(reverse("sync:historical_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'data-testid="time-left"' in body and "0 of 3 records (0 %)" in body
    _finish(job)
    body = owner_client.get(reverse("sync:historical_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in body and "3 of 3 records (100 %)" in body


@pytest.mark.django_db
def test_choosing_invoices_selects_accounts_and_products(owner_client, organisation, queued,
                                                         django_capture_on_commit_callbacks):
    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("sync:historical"), {
            "xero_organisation": str(xero_organisation.pk), "modules": ["invoices"], "xero_to_zoho": "on"})
    assert response.status_code == 302
    job = HistoricalJob.objects.get()
    assert job.modules == ["accounts", "products", "invoices"] and job.direction == "xero_to_zoho"
    assert queued == [("historical_plan_task", [str(job.pk)])]
    bad = owner_client.post(reverse("sync:historical"), {
        "xero_organisation": str(xero_organisation.pk), "modules": ["accounts"], "date_from": "2026-02-01",
        "date_to": "2026-01-01"})
    assert bad.status_code == 400 and "The To date must be on or after the From date." in bad.content.decode()


@pytest.mark.django_db
def test_outsiders_and_read_only_members_cannot_control_a_job(client, organisation, outsider, read_only_member,
                                                              queued):
    job = HistoricalJob.objects.create(organisation=organisation, modules=["accounts"], direction="zoho_to_xero",
                                       xero_organisation=XeroOrganisationFactory(organisation=organisation),
                                       status=JobStatus.PLANNED)
    client.force_login(outsider)
    assert client.get(reverse("sync:historical_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("sync:historical_control", args=[job.pk, "start"])).status_code == 404
    client.force_login(read_only_member)
    assert client.get(reverse("sync:historical_job", args=[job.pk])).status_code == 200
    assert client.post(reverse("sync:historical_control", args=[job.pk, "start"])).status_code == 403
    assert client.post(reverse("sync:historical"), {"modules": ["accounts"]}).status_code == 403
    assert HistoricalJob.objects.get(pk=job.pk).status == JobStatus.PLANNED and queued == []


def test_the_xero_switch_copies_xero_records_to_zoho(portal, sandbox):
    sandbox.seed(zoho={"accounts": 0, "products": 0, "invoices": 0}, xero={"contacts": 4, "items": 0, "invoices": 0})
    job = _job(portal, direction="xero_to_zoho")
    assert job.dry_run["accounts"]["create"] == 4 and writes(sandbox, "zoho") == 0
    job = _finish(job)
    assert (job.status, job.done, job.failed) == (JobStatus.DONE, 4, 0)
    names = {row["Account_Name"] for row in portal.zoho.iter_records("Accounts", ["Account_Name"])}
    assert names == {c["Name"] for c in portal.xero.iter_contacts()}


def test_a_dry_run_held_by_another_worker_is_not_run_twice_and_a_stalled_one_is_resumed(portal, sandbox):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = historical.create_job(portal.xero_organisation, modules=["accounts"], direction="zoho_to_xero")
    HistoricalJob.objects.filter(pk=job.pk).update(lease_owner="planner-1",
                                                    lease_until=timezone.now() + timedelta(seconds=60))
    sandbox.reset_counters()
    assert historical.plan(job.pk, owner="planner-2").status == JobStatus.PLANNING
    assert sandbox.counters()["zoho"]["total"] == 0 and job.pk not in historical.stale_jobs()
    HistoricalJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert job.pk in historical.stale_jobs()
    finished = historical.plan(job.pk, owner="planner-2")
    assert (finished.status, finished.total, finished.lease_owner) == (JobStatus.PLANNED, 3, "")


def test_a_job_waiting_in_the_queue_is_queued_once_and_a_lost_message_is_requeued(portal, sandbox, queued):
    sandbox.seed(zoho={"accounts": 60, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = _job(portal)
    historical.start(job)
    assert historical.work(job.pk, slice_seconds=0) == "more"  # the task would queue the next slice now
    job.refresh_from_db()
    assert job.lease_owner == historical.QUEUED and job.pk not in historical.stale_jobs()
    before = len(queued)
    assert tasks.resume_historical_task() == 0 and len(queued) == before  # Beat adds no second message
    HistoricalJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # lost
    assert tasks.resume_historical_task() == 1 and queued[-1] == ("historical_run_task", [str(job.pk)])
    assert tasks.resume_historical_task() == 0  # queued once
    assert _finish(job).done == 60
