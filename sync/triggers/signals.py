"""On Save Sync follows the Settings page: saving the organisation's switch or a module's settings reconciles the
Zoho watch channel once the transaction commits. Connected in sync/apps.py (ready)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from ..models import ModuleSettings, OrganisationSyncSettings
from . import notifications


@receiver(post_save, sender=OrganisationSyncSettings, dispatch_uid="sync.triggers.on_save_sync")
def on_save_sync_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        notifications.reconcile_after_commit(instance.organisation_id)


@receiver(post_save, sender=ModuleSettings, dispatch_uid="sync.triggers.module_settings")
def module_settings_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        notifications.reconcile_after_commit(instance.organisation_id)
