"""Thin Celery tasks around sync.runs. They take ids, claim the run atomically (a lease), and are idempotent:
a duplicate delivery finds the run claimed or done and returns; a killed worker's run is resumed by
`resume_stale_runs_task` (Beat) from its checkpoint. acks_late, so a message is only acknowledged after
the work is committed."""

import logging

from celery import shared_task
from django.db import close_old_connections

from connections.exceptions import ProviderError

from . import runs
from .models import RunStatus, SyncRun

logger = logging.getLogger(__name__)


# The run bounds the retries (sync.retries.max_attempts); Celery's max_retries is only a backstop.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=100, time_limit=60 * 60,
             soft_time_limit=55 * 60)
def process_run_task(self, run_id: str):
    """Process one sync run to the end. A provider failure keeps the run (and its lease) for this task's retry,
    with backoff, until the run's attempts are used up; then the run ends failed and nothing re-queues it."""
    run = SyncRun.objects.filter(pk=run_id).only("status").first()
    if run is None or run.status in (RunStatus.DONE, RunStatus.CANCELLED, RunStatus.FAILED):
        return None
    owner = self.request.id or run_id
    try:
        finished = runs.process_run(run_id, owner=owner)
    except ProviderError as error:
        countdown = runs.retry_or_fail(run_id, owner, error)
        if countdown is None:
            return SyncRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        raise self.retry(countdown=countdown, exc=error) from None
    finally:
        close_old_connections()
    if finished is None:
        logger.info("Sync run %s is held by another worker; nothing to do", run_id)
        return None
    return finished.status


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resume_stale_runs_task() -> int:
    """Beat: re-enqueue runs whose worker died (their lease expired), each as a task that owns the run."""
    due = runs.requeue_stale_runs()
    for run_id, owner in due:
        process_run_task.apply_async(args=[str(run_id)], task_id=owner)
    return len(due)
