"""Periodic tasks of the mapping app (merged into Beat's schedule by syncportal/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "daily-refresh-mapping-reference-data": {
        "task": "mapping.tasks.refresh_reference_data",
        "schedule": crontab(hour=2, minute=41),
        "options": {"queue": "default", "expires": 3600},
    },
}
