"""The Celery application. Tasks live in each app's tasks.py; Beat's schedule is in settings."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.local")

app = Celery("syncportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("realtime", "default", "bulk")]
app.autodiscover_tasks()
