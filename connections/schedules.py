"""Beat entries of the connections app (merged by syncportal/celery.py). No model imports here."""

BEAT_SCHEDULE = {
    "connections-refresh-idle-xero-token-sets": {
        "task": "connections.tasks.refresh_idle_xero_token_sets",
        "schedule": 6 * 60 * 60,  # every 6 hours; each token set is refreshed after 14 idle days (60 allowed)
        "options": {"queue": "default"},
    },
}
