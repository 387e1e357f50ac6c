"""Periodic tasks of the audit app (merged into Beat's schedule by syncportal/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "every-5-minutes-check-audit-failure-alerts": {
        "task": "audit.tasks.check_failure_alerts",
        "schedule": 300.0,
        "options": {"queue": "default", "expires": 290},
    },
    "daily-purge-expired-audit-entries": {
        "task": "audit.tasks.purge_expired_audit_entries",
        "schedule": crontab(hour=3, minute=17),
        "options": {"queue": "default"},
    },
}
