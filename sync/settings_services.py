"""Reading and saving sync settings (the Settings page, the engine and the triggers read them here)."""

from django.db import transaction

from .models import SYNCED_MODULES, ModuleSettings, OrganisationSyncSettings


def organisation_settings(organisation) -> OrganisationSyncSettings:
    settings, _ = OrganisationSyncSettings.objects.get_or_create(organisation=organisation)
    return settings


def module_settings(xero_organisation, module: str) -> ModuleSettings:
    settings, _ = ModuleSettings.objects.get_or_create(
        xero_organisation=xero_organisation, module=module, defaults={"organisation_id": xero_organisation.organisation_id}
    )
    return settings


def all_module_settings(xero_organisation) -> list[ModuleSettings]:
    existing = {s.module: s for s in ModuleSettings.objects.filter(xero_organisation=xero_organisation)}
    missing = [
        ModuleSettings(organisation_id=xero_organisation.organisation_id, xero_organisation=xero_organisation, module=m)
        for m in SYNCED_MODULES
        if m not in existing
    ]
    if missing:
        with transaction.atomic():
            ModuleSettings.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.module: s for s in ModuleSettings.objects.filter(xero_organisation=xero_organisation)}
    return [existing[m] for m in SYNCED_MODULES]


def on_save_sync_enabled(organisation) -> bool:
    return OrganisationSyncSettings.objects.filter(organisation=organisation, on_save_sync=True).exists()
