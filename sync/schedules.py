"""Beat entries of the sync app (merged by syncportal/celery.py). No model imports here."""

BEAT_SCHEDULE = {
    "sync-resume-stale-runs": {
        "task": "sync.tasks.resume_stale_runs_task",
        "schedule": 60.0,  # a run whose worker died resumes within a minute of its lease expiring
        "options": {"queue": "default"},
    },
}
