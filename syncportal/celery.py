"""The Celery application. Tasks live in each app's tasks.py.

Beat's schedule is assembled from each app's `schedules.py` (a plain BEAT_SCHEDULE dict, no model
imports), so every app owns its periodic tasks.
"""

import importlib
import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.local")

SCHEDULE_MODULES = ("connections.schedules", "mapping.schedules", "sync.schedules", "audit.schedules")
QUEUES = ("realtime", "default", "bulk")


def beat_schedule() -> dict:
    schedule: dict = {}
    for name in SCHEDULE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


app = Celery("syncportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.beat_schedule = beat_schedule()
app.autodiscover_tasks()
