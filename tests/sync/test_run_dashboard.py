"""The dashboard lists the organisation's running and stuck sync runs with a Cancel button (owners and admins
only, CSRF-protected, other organisations' runs invisible); the historical job page says when a provider cannot
be reached instead of a time left."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from sync.models import RunProblem, RunStatus, SyncRun
from sync.trigger_models import HistoricalJob, JobStatus

from .factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xero_organisation(organisation):
    return XeroOrganisationFactory(organisation=organisation, tenant_name="Acme AU")


def _run(xero_organisation, **fields):
    fields.setdefault("status", RunStatus.RUNNING)
    return SyncRun.objects.create(organisation=xero_organisation.organisation, xero_organisation=xero_organisation,
                                  module="accounts", direction="zoho_to_xero", trigger="on_save",
                                  requested_ids=["1001", "1002"], **fields)


def test_the_dashboard_lists_running_and_stuck_runs_of_the_organisation_only(owner_client, xero_organisation,
                                                                             other_organisation):
    soon = timezone.now() + timedelta(minutes=2)
    stuck = _run(xero_organisation, problem=RunProblem.UNREACHABLE, problem_provider="zoho", attempts=3,
                 retry_at=soon, lease_until=soon)
    running = _run(xero_organisation, lease_until=soon)
    _run(xero_organisation, status=RunStatus.DONE)
    theirs = _run(XeroOrganisationFactory(organisation=other_organisation))

    body = owner_client.get(reverse("tenancy:home")).content.decode()

    assert f'data-testid="run-{stuck.pk}" data-stuck="true"' in body
    assert f'data-testid="run-{running.pk}" data-stuck="false"' in body
    assert "Zoho CRM is failing" in body and "attempt 3 of 8 failed" in body
    assert str(theirs.pk) not in body and body.count('data-testid="cancel-run"') == 2


def test_cancel_stops_the_run_and_lists_its_records_as_skipped(owner_client, xero_organisation):
    run = _run(xero_organisation, lease_until=timezone.now() + timedelta(minutes=1))

    response = owner_client.post(reverse("sync:cancel_run", args=[run.pk]))

    assert response.status_code == 302 and response.url == reverse("tenancy:home")
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.problem == RunProblem.CANCELLED
    assert sorted(AuditEntry.objects.filter(status="skipped").values_list("zoho_id", flat=True)) == ["1001", "1002"]
    assert "No sync is running." in owner_client.get(reverse("tenancy:home")).content.decode()


def test_read_only_members_outsiders_and_forged_posts_cannot_cancel(client, xero_organisation, read_only_member,
                                                                     outsider, owner):
    run = _run(xero_organisation)
    url = reverse("sync:cancel_run", args=[run.pk])
    client.force_login(read_only_member)
    assert 'data-testid="cancel-run"' not in client.get(reverse("tenancy:home")).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    assert csrf_client.post(url).status_code == 403
    assert client.get(url).status_code in (404, 405)
    assert SyncRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_the_dashboard_panel_is_translated(owner_client, owner, xero_organisation):
    _run(xero_organisation, problem=RunProblem.UNREACHABLE, problem_provider="xero", attempts=2,
         retry_at=timezone.now() + timedelta(minutes=1))
    owner.language = "de"
    owner.save()
    body = owner_client.get(reverse("tenancy:home"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Laufende Synchronisationen" in body and "Xero antwortet nicht" in body and "Running syncs" not in body


def test_the_job_page_says_a_provider_cannot_be_reached_instead_of_the_time_left(owner_client, xero_organisation):
    job = HistoricalJob.objects.create(
        organisation=xero_organisation.organisation, xero_organisation=xero_organisation, modules=["accounts"],
        direction="zoho_to_xero", status=JobStatus.RUNNING, total=100, started_at=timezone.now(),
        problem=RunProblem.UNREACHABLE, problem_provider="zoho", attempts=2,
        retry_at=timezone.now() + timedelta(seconds=40))

    body = owner_client.get(reverse("sync:historical_progress", args=[job.pk])).content.decode()

    assert "Zoho CRM cannot be reached at the moment." in body and "2 attempts failed so far" in body
    assert 'data-testid="time-left"' not in body

    HistoricalJob.objects.filter(pk=job.pk).update(problem="", attempts=0, retry_at=None)
    body = owner_client.get(reverse("sync:historical_progress", args=[job.pk])).content.decode()
    assert 'data-testid="provider-problem"' not in body and 'data-testid="time-left"' in body


def test_a_failing_slice_marks_the_job_as_waiting_until_the_next_slice_works(xero_organisation, monkeypatch):
    from connections.exceptions import TransientError
    from sync.triggers import historical, tasks

    job = HistoricalJob.objects.create(organisation=xero_organisation.organisation, xero_organisation=xero_organisation,
                                       modules=["accounts"], direction="zoho_to_xero", status=JobStatus.RUNNING)
    seen = []

    def work(job_id, owner=None):
        seen.append(HistoricalJob.objects.values_list("problem", "problem_provider", "attempts").get(pk=job_id))
        if len(seen) == 1:
            raise TransientError("GET Accounts: ConnectionError", provider="zoho")
        return "done"

    monkeypatch.setattr(historical, "work", work)
    # The task closes unusable connections when it ends; inside the test's transaction on PostgreSQL that would be
    # the test's own connection (a worker has none open across tasks).
    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)
    tasks.historical_run_task.apply(args=[str(job.pk)])

    assert seen == [("", "", 0), (RunProblem.UNREACHABLE, "zoho", 1)]
    run = SyncRun.objects.create(organisation=job.organisation, xero_organisation=xero_organisation, module="accounts",
                                 direction="zoho_to_xero", trigger="historical", status=RunStatus.DONE)
    historical._record_run(job, run)  # the next chunk that finishes clears it
    job.refresh_from_db()
    assert (job.problem, job.attempts, job.retry_at) == ("", 0, None)
