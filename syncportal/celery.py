"""The Celery application. Tasks live in each app's tasks.py.

Beat's schedule is assembled from each app's `schedules.py` (a plain BEAT_SCHEDULE dict, no model
imports), so every app owns its periodic tasks.
"""

import importlib
import os

from celery import Celery
from celery.signals import after_setup_logger
from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES

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


# The server-less default broker writes each message atomically (syncportal/broker.py).
TRANSPORT_ALIASES["filesystem"] = "syncportal.broker:Transport"

app = Celery("syncportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.beat_schedule = beat_schedule()
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    """The filesystem broker writes into folders it does not create: make them (a no-op for Redis)."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@after_setup_logger.connect
def _quiet_housekeeping(**kwargs):
    """Beat's frequent housekeeping checks log nothing at INFO (syncportal/quiet_logging.py)."""
    from .quiet_logging import install

    install()
