"""Thin Celery wrappers around audit services (periodic ones are scheduled in audit/schedules.py)."""

import logging

from celery import shared_task
from django.db import close_old_connections

from connections.exceptions import AuthRevoked, RateLimited, TransientError

from . import alerts, resync, services

logger = logging.getLogger(__name__)


def _close_connections(task) -> None:
    """Like a request's end in a worker; not when run eagerly, where the connection is the caller's."""
    if not task.request.is_eager:
        close_old_connections()


@shared_task(queue="default", time_limit=300, soft_time_limit=240)
def check_failure_alerts() -> int:
    """Email owners and admins of organisations whose failures in the last hour reached the threshold."""
    return alerts.check_failure_threshold()


@shared_task(queue="default", time_limit=3600, soft_time_limit=3300)
def purge_expired_audit_entries() -> int:
    """Delete audit entries older than settings.AUDIT_RETENTION_DAYS, in batches."""
    return services.purge_expired_entries()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8, time_limit=300,
             soft_time_limit=280)
def resync_entry_task(self, organisation_id: str, entry_id: str, request_id: str):
    """Resync one failed audit entry (the Resync button, or one record of "Resync all failed").

    Claims the ResyncRequest marker first, so a duplicate delivery does nothing; a transient provider failure
    gives the claim back and retries; a revoked grant or exhausted retries end in a failed entry that says so."""
    try:
        new_entry = resync.run_request(organisation_id, entry_id, request_id)
    except (RateLimited, TransientError) as error:
        resync.release(request_id)
        if self.request.retries >= self.max_retries:
            resync.record_failure(organisation_id, entry_id, request_id, revoked=False)
            return None
        countdown = (max(1.0, float(error.retry_after or 30)) if isinstance(error, RateLimited)
                     else min(300, 5 * 2 ** self.request.retries))
        raise self.retry(countdown=countdown, exc=error) from None
    except AuthRevoked:
        logger.warning("Resync of audit entry %s stopped: a grant was revoked", entry_id)
        resync.record_failure(organisation_id, entry_id, request_id, revoked=True)
        return None
    except Exception:
        resync.finish(request_id, failed=True)  # not left "running": the page stops waiting for it
        raise
    finally:
        _close_connections(self)
    return None if new_entry is None else str(new_entry.pk)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, time_limit=300,
             soft_time_limit=280)
def resync_failed_task(self, batch_id: str, cursor: str = ""):
    """One step of "Resync all failed": queue the resyncs of one chunk, then queue the next step."""
    try:
        next_cursor = resync.walk_batch(batch_id, cursor)
    finally:
        _close_connections(self)
    if next_cursor is not None:
        resync_failed_task.apply_async(args=[batch_id, next_cursor], queue="default")
    return next_cursor
