"""Thin Celery tasks around sync.runs. They take ids, claim the run atomically (a lease), and are idempotent:
a duplicate delivery finds the run claimed or done and returns; a killed worker's run is resumed by
`resume_stale_runs_task` (Beat) from its checkpoint. acks_late, so a message is only acknowledged after
the work is committed."""

import logging

from celery import shared_task
from django.db import close_old_connections

from connections.exceptions import AuthRevoked, RateLimited, TransientError

from . import runs
from .models import RunStatus, SyncRun

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=20, time_limit=60 * 60,
             soft_time_limit=55 * 60)
def process_run_task(self, run_id: str):
    """Process one sync run to the end. Transient provider failures retry the task; the lease keeps the run."""
    run = SyncRun.objects.filter(pk=run_id).only("status").first()
    if run is None or run.status in (RunStatus.DONE, RunStatus.CANCELLED, RunStatus.FAILED):
        return None
    owner = self.request.id or run_id
    try:
        finished = runs.process_run(run_id, owner=owner)
    except RateLimited as error:
        raise self.retry(countdown=max(1.0, float(error.retry_after or 30)), exc=error) from None
    except TransientError as error:
        raise self.retry(countdown=min(300, 5 * 2 ** self.request.retries), exc=error) from None
    except AuthRevoked as error:
        SyncRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(error.user_message))
        logger.warning("Sync run %s stopped: the grant was revoked", run_id)
        return None
    finally:
        close_old_connections()
    if finished is None:
        logger.info("Sync run %s is held by another worker; nothing to do", run_id)
        return None
    return finished.status


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resume_stale_runs_task() -> int:
    """Beat: re-enqueue runs whose worker died (their lease expired)."""
    ids = runs.resume_stale_runs()
    for run_id in ids:
        process_run_task.delay(str(run_id))
    return len(ids)
