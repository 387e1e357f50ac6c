"""Celery tasks of the triggers: thin wrappers that take ids, reload rows and call the trigger modules.

Queues (fairness, see sync/README.md): "realtime" for on-save notifications, Zoho workflow webhooks and Xero
webhooks (a few ids each); "default" for the cron and maintenance; "bulk" for historical jobs, which work in
slices of SLICE_SECONDS and re-queue themselves, so jobs of several organisations take turns."""

import logging
import uuid

from celery import shared_task
from django.db import close_old_connections

from connections.exceptions import AuthRevoked, RateLimited, TransientError
from connections.models import XeroOrganisation

from ..engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from . import coalesce, cron, dispatch, historical, notifications

logger = logging.getLogger(__name__)


def _organisation(organisation_id):
    from tenancy.models import Organisation

    return Organisation.objects.filter(pk=organisation_id).first()


def _countdown(task, error) -> float:
    if isinstance(error, RateLimited):
        return max(1.0, float(error.retry_after or 30))
    return min(300, 5 * 2 ** task.request.retries)


def _retry(task, error):
    return task.retry(countdown=_countdown(task, error), exc=error)


def _retry_job(task, job_id, error):
    """Retry a historical slice, and let the job page say that a provider fails meanwhile."""
    countdown = _countdown(task, error)
    historical.note_problem(job_id, error, countdown)
    return task.retry(countdown=countdown, exc=error)


def _task_key(task) -> str:
    """The task's id: the same on every retry of the task, so its runs are found again (dispatch.sync_ids)."""
    return task.request.id or uuid.uuid4().hex


# The runs bound the retries (sync.retries.max_attempts); Celery's max_retries is only a backstop.
@shared_task(bind=True, acks_late=True, max_retries=100, time_limit=300, soft_time_limit=280)
def zoho_changed_task(self, organisation_id: str, module: str, ids: list, trigger: str = "on_save"):
    """A Zoho notification or workflow webhook: sync these Zoho records to every Xero organisation taking them.
    A retry resumes the runs of the first attempt, with the same ids (the batch is kept per task)."""
    organisation = _organisation(organisation_id)
    if organisation is None:
        return 0
    key = _task_key(self)
    try:
        with coalesce.serial(organisation_id, module):  # reads after the previous task's writes (coalesce.py)
            batch = coalesce.recall(key)
            if batch is None:
                batch = coalesce.take(organisation_id, module, ids)  # with the notifications queued behind it
                if not batch.ids:
                    return 0  # an earlier task's read already carried these records
                coalesce.remember(key, batch)
                # Covered from now on: this task's runs sync these records (its retries resume them) or end failed
                # with an entry per record, so the tasks that run while this one waits to retry skip them.
                coalesce.done(organisation_id, module, batch)
            for xero_organisation in notifications.sync_targets(organisation, module):
                dispatch.sync_ids(xero_organisation, module, ZOHO_TO_XERO, batch.ids, trigger=trigger, origin=key,
                                  owner=key)
            coalesce.forget(key)
    except dispatch.RetryLater as later:
        raise self.retry(countdown=later.countdown, exc=later.error) from None
    except (RateLimited, TransientError) as error:
        raise _retry(self, error) from None
    except AuthRevoked:
        logger.warning("On-save sync for %s stopped: a grant was revoked", organisation_id)
        return 0
    finally:
        close_old_connections()
    return len(batch.ids)


@shared_task(bind=True, acks_late=True, max_retries=100, time_limit=300, soft_time_limit=280)
def xero_changed_task(self, xero_organisation_id: str, module: str, ids: list):
    """A Xero webhook: sync these Xero records to Zoho (a retry resumes the runs of the first attempt)."""
    xero_organisation = XeroOrganisation.objects.select_related("organisation").filter(pk=xero_organisation_id).first()
    if xero_organisation is None:
        return 0
    key = _task_key(self)
    try:
        dispatch.sync_ids(xero_organisation, module, XERO_TO_ZOHO, ids, trigger="webhook", origin=key, owner=key)
    except dispatch.RetryLater as later:
        raise self.retry(countdown=later.countdown, exc=later.error) from None
    except (RateLimited, TransientError) as error:
        raise _retry(self, error) from None
    except AuthRevoked:
        logger.warning("Webhook sync for %s stopped: a grant was revoked", xero_organisation_id)
    finally:
        close_old_connections()
    return len(ids)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def renew_channels_task() -> int:
    """Beat: register missing Zoho channels and renew those that expire within three days."""
    count = 0
    for organisation_id in notifications.due_for_renewal():
        organisation = _organisation(organisation_id)
        if organisation is not None:
            notifications.reconcile(organisation, renew=True)
            count += 1
    return count


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def cron_dispatch_task(full: bool = False) -> int:
    """Beat fan-out: one small task per organisation with Cron Sync on."""
    count = 0
    for organisation in cron.organisations_due():
        cron_organisation_task.apply_async(args=[str(organisation.pk)], kwargs={"full": full}, queue="default")
        count += 1
    return count


@shared_task(bind=True, acks_late=True, max_retries=3, time_limit=cron.CLAIM_SECONDS,
             soft_time_limit=cron.CLAIM_SECONDS - 60)
def cron_organisation_task(self, organisation_id: str, full: bool = False):
    organisation = _organisation(organisation_id)
    if organisation is None:
        return None
    try:
        finished = cron.run_organisation(organisation, full=full)
    except (RateLimited, TransientError) as error:
        logger.info("Cron for %s stopped early (%s); the next run continues from the watermarks", organisation_id,
                    error)
        return None
    except AuthRevoked:
        return None
    finally:
        close_old_connections()
    return None if finished is None else len(finished)


@shared_task(bind=True, acks_late=True, max_retries=20, time_limit=3600, soft_time_limit=3500)
def historical_plan_task(self, job_id: str):
    try:
        historical.plan(job_id)
    except (RateLimited, TransientError) as error:
        raise _retry_job(self, job_id, error) from None
    finally:
        close_old_connections()


@shared_task(bind=True, acks_late=True, max_retries=50, time_limit=600, soft_time_limit=540)
def historical_run_task(self, job_id: str):
    """One slice of a historical job; re-queues itself while there is more (other jobs get turns between)."""
    try:
        outcome = historical.work(job_id, owner=self.request.id or None)
    except (RateLimited, TransientError) as error:
        raise _retry_job(self, job_id, error) from None
    finally:
        close_old_connections()
    if outcome == "more":
        historical_run_task.apply_async(args=[job_id], queue="bulk")
    return outcome


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resume_historical_task() -> int:
    """Beat: re-queue historical jobs whose worker died (lease expired)."""
    from ..trigger_models import HistoricalJob, JobStatus

    count = 0
    for job_id in historical.stale_jobs():
        if not historical.mark_queued(job_id):
            continue  # taken meanwhile
        status = HistoricalJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        task = historical_plan_task if status == JobStatus.PLANNING else historical_run_task
        task.apply_async(args=[str(job_id)], queue="bulk")
        count += 1
    return count
