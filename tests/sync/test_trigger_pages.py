"""The trigger pages and Beat fan-out without providers: Historical Sync page, Copy page, cron dispatch."""

import pytest
from django.urls import reverse

from connections.models import ZohoConnection
from sync.settings_services import module_settings
from sync.trigger_models import HistoricalJob, JobStatus
from sync.triggers import tasks

from .factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_historical_page_offers_the_form_to_managers_only(client, owner, read_only_member, organisation):
    XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")
    client.force_login(owner)
    page = client.get(reverse("sync:historical")).content.decode()
    assert "Switch to perform Xero data sync" in page and 'data-testid="dry-run"' in page
    assert "Demo Company (AU)" in page and "sync/historical.js" in page
    client.force_login(read_only_member)
    assert 'data-testid="historical-form"' not in client.get(reverse("sync:historical")).content.decode()


def test_the_historical_page_lists_only_the_organisations_jobs(client, owner, organisation, other_organisation):
    mine = XeroOrganisationFactory(organisation=organisation)
    theirs = XeroOrganisationFactory(organisation=other_organisation)
    own = HistoricalJob.objects.create(organisation=organisation, xero_organisation=mine, modules=["accounts"],
                                       direction="zoho_to_xero", status=JobStatus.DONE)
    foreign = HistoricalJob.objects.create(organisation=other_organisation, xero_organisation=theirs,
                                           modules=["invoices"], direction="zoho_to_xero")
    client.force_login(owner)
    page = client.get(reverse("sync:historical")).content.decode()
    assert f"/sync/historical/{own.pk}/" in page and str(foreign.pk) not in page
    assert client.get(reverse("sync:historical_progress", args=[foreign.pk])).status_code == 404


def test_beat_fans_out_one_cron_task_per_ready_organisation(organisation, other_organisation, owner, monkeypatch):
    from connections import services as connection_services
    from sync.readiness import services as readiness

    queued = []
    monkeypatch.setattr(tasks.cron_organisation_task, "apply_async",
                        lambda args=None, kwargs=None, **options: queued.append((args, kwargs, options)))
    ready = XeroOrganisationFactory(organisation=organisation)
    assert tasks.cron_dispatch_task() == 0  # nothing is started in a new organisation
    readiness.start_syncing(ready, "accounts", "zoho_to_xero")
    ZohoConnection.objects.create(organisation=organisation, location="eu", accounts_server="https://a.example",
                                  api_domain="https://b.example", access_token="a", refresh_token="r")
    connection_services.accept_terms(organisation, owner)
    not_ready = XeroOrganisationFactory(organisation=other_organisation)  # no Zoho, no terms
    readiness.start_syncing(not_ready, "accounts", "zoho_to_xero")
    assert tasks.cron_dispatch_task() == 1
    assert queued == [([str(organisation.pk)], {"full": False}, {"queue": "default"})]
    row = module_settings(ready, "accounts")
    row.cron = False
    row.save()
    assert tasks.cron_dispatch_task(full=True) == 0


def test_the_beat_schedule_has_the_trigger_entries():
    from syncportal.celery import beat_schedule

    schedule = beat_schedule()
    assert schedule["sync-cron"]["schedule"] == 600.0
    assert schedule["sync-nightly-reconciliation"]["kwargs"] == {"full": True}
    assert {"sync-renew-zoho-channels", "sync-resume-historical-jobs"} <= set(schedule)


def test_a_historical_slice_requeues_itself_at_the_back_of_the_bulk_queue(monkeypatch):
    """Fairness: a long job gives the worker back after each slice, so other organisations' jobs get turns."""
    from sync.triggers import historical

    queued = []
    monkeypatch.setattr(historical, "work", lambda job_id, owner=None: "more")
    monkeypatch.setattr(tasks.historical_run_task, "apply_async",
                        lambda args=None, kwargs=None, **options: queued.append((args, options)))
    assert tasks.historical_run_task.apply(args=["job-1"]).get() == "more"
    assert queued == [(["job-1"], {"queue": "bulk"})]
    monkeypatch.setattr(historical, "work", lambda job_id, owner=None: "done")
    assert tasks.historical_run_task.apply(args=["job-1"]).get() == "done" and len(queued) == 1


def test_the_time_left_follows_the_xero_rate_limit(organisation, settings):
    from sync.trigger_models import HistoricalItem
    from sync.triggers import historical

    settings.XERO_RATE_LIMIT_PER_WINDOW, settings.XERO_RATE_LIMIT_WINDOW_SECONDS = 60, 60.0
    job = HistoricalJob.objects.create(organisation=organisation, modules=["accounts"], direction="zoho_to_xero",
                                       xero_organisation=XeroOrganisationFactory(organisation=organisation),
                                       status=JobStatus.RUNNING, total=1000)
    HistoricalItem.objects.bulk_create(
        HistoricalItem(job=job, module="accounts", source_id=str(i)) for i in range(1000))
    # 1,000 accounts: about 3 Xero calls per 50 (lookups, reads, one write) = 60 calls at 1 a second
    assert historical.seconds_left(job) == 61
    settings.XERO_RATE_LIMIT_PER_WINDOW = 120
    assert historical.seconds_left(job) == 31
