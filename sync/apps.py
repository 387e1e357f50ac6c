from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("Synchronisation")

    def ready(self):
        # Issue 7: On Save Sync follows the Settings page; the trigger tasks register with Celery.
        from .triggers import signals, tasks  # noqa: F401
