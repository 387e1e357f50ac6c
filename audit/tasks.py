"""Thin Celery wrappers around audit services (scheduled in audit/schedules.py)."""

from celery import shared_task

from . import alerts, services


@shared_task(queue="default", time_limit=300, soft_time_limit=240)
def check_failure_alerts() -> int:
    """Email owners and admins of organisations whose failures in the last hour reached the threshold."""
    return alerts.check_failure_threshold()


@shared_task(queue="default", time_limit=3600, soft_time_limit=3300)
def purge_expired_audit_entries() -> int:
    """Delete audit entries older than settings.AUDIT_RETENTION_DAYS, in batches."""
    return services.purge_expired_entries()
