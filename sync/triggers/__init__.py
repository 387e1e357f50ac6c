"""Everything that starts a sync (issue 7): Zoho notifications and workflow webhooks (on save), the Copy to Xero
button, historical jobs, the ten-minute cron with its nightly reconciliation, and Xero webhooks.

Each module is plain Python over sync.services / sync.runs; Celery tasks are in `tasks.py`, views in
sync/views_triggers.py.
"""
