"""Run claiming: a duplicate delivery never processes a run twice; a dead worker's run is found again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sync import runs
from sync.models import RunStatus, SyncRun
from sync.tasks import process_run_task

from .factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(organisation):
    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    return runs.create_run(xero_organisation, "accounts", "zoho_to_xero", trigger="cron", ids=["1", "2"])


def test_only_one_worker_can_claim_a_run(run):
    assert runs.claim(run.pk, "worker-a")
    assert not runs.claim(run.pk, "worker-b")
    assert runs.claim(run.pk, "worker-a")  # the same delivery retried keeps its claim
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.lease_owner == "worker-a"


def test_a_run_whose_lease_expired_can_be_taken_over_and_is_reported_stale(run):
    assert runs.claim(run.pk, "dead-worker")
    assert run.pk not in runs.resume_stale_runs()
    SyncRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert run.pk in runs.resume_stale_runs()
    assert runs.claim(run.pk, "new-worker")


def test_the_task_does_nothing_for_a_finished_or_missing_run(run):
    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    assert process_run_task.apply(args=[str(run.pk)]).get() is None
    assert process_run_task.apply(args=["00000000-0000-0000-0000-000000000000"]).get() is None
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.lease_owner == ""


def test_deleting_the_xero_organisation_erases_its_runs_and_links(run):
    run.xero_organisation.delete()
    assert not SyncRun.objects.exists()


def test_one_chunk_at_a_time_per_xero_organisation_and_module(run):
    from connections.exceptions import TransientError

    with runs.module_lock(run.xero_organisation, "accounts") as waited:
        assert waited is False
        with pytest.raises(TransientError):
            with runs.module_lock(run.xero_organisation, "accounts", timeout=0.3):
                pass
        with runs.module_lock(run.xero_organisation, "products") as other_module_waited:
            assert other_module_waited is False
    with runs.module_lock(run.xero_organisation, "accounts") as waited:
        assert waited is False
