"""Beat entries of the sync app (merged by syncportal/celery.py). No model imports here."""

BEAT_SCHEDULE = {
    "sync-resume-stale-runs": {
        "task": "sync.tasks.resume_stale_runs_task",
        "schedule": 60.0,  # a run whose worker died resumes within a minute of its lease expiring
        "options": {"queue": "default"},
    },
}

# Issue 7 (sync triggers): cron every ten minutes, a nightly full reconciliation, Zoho channel renewal, and the
# resumption of historical jobs whose worker died.
from celery.schedules import crontab  # noqa: E402

BEAT_SCHEDULE.update({
    "sync-cron": {
        "task": "sync.triggers.tasks.cron_dispatch_task",
        "schedule": 600.0,
        "options": {"queue": "default"},
    },
    "sync-nightly-reconciliation": {
        "task": "sync.triggers.tasks.cron_dispatch_task",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"full": True},
        "options": {"queue": "default"},
    },
    "sync-renew-zoho-channels": {
        "task": "sync.triggers.tasks.renew_channels_task",
        "schedule": 3600.0,
        "options": {"queue": "default"},
    },
    "sync-resume-historical-jobs": {
        "task": "sync.triggers.tasks.resume_historical_task",
        "schedule": 60.0,
        "options": {"queue": "default"},
    },
})
