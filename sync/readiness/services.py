"""Ready to sync: the checklist an admin goes through before anything is written, "Start syncing" per module and
direction, and what the dashboard says about modules that do not sync yet.

A newly connected organisation writes nothing: every module's switches start off (sync.models.ModuleSettings).
Starting a module in one direction switches on Allow Sync, Create and Update in that direction and Cron Sync;
the other direction stays as it was.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections import services as connection_services
from mapping.models import TaxMapping, ZohoTax
from mapping.registry import ACCOUNT_CODE_MODULES
from mapping.taxes import default_accounts

from .. import settings_services
from ..engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from ..models import MODULE_LABELS, SYNCED_MODULES, ModuleSettings
from .models import SyncReadiness

DIRECTIONS = (ZOHO_TO_XERO, XERO_TO_ZOHO)
DIRECTION_LABELS = {ZOHO_TO_XERO: _("Zoho CRM → Xero"), XERO_TO_ZOHO: _("Xero → Zoho CRM")}


@dataclass
class Check:
    key: str
    label: str
    done: bool
    url: str
    detail: str = ""


@dataclass
class DirectionState:
    direction: str
    label: str
    syncing: bool
    started: bool
    reasons: list = field(default_factory=list)


@dataclass
class ModuleState:
    module: str
    label: str
    directions: list


def readiness(xero_organisation) -> SyncReadiness:
    row, _created = SyncReadiness.objects.get_or_create(
        xero_organisation=xero_organisation, defaults={"organisation_id": xero_organisation.organisation_id})
    return row


def mark_mapping_reviewed(xero_organisation, user) -> None:
    readiness(xero_organisation)
    SyncReadiness.objects.filter(xero_organisation=xero_organisation).update(
        mapping_reviewed_at=timezone.now(), mapping_reviewed_by=user)


def mark_dry_run_seen(xero_organisation) -> None:
    """A finished dry run of this Xero organisation was shown to someone (the first time counts)."""
    readiness(xero_organisation)
    SyncReadiness.objects.filter(xero_organisation=xero_organisation, dry_run_seen_at__isnull=True).update(
        dry_run_seen_at=timezone.now())


def _with_xero(url_name: str, xero_organisation) -> str:
    return f"{reverse(url_name)}?xero={xero_organisation.pk}"


def checklist(xero_organisation) -> list[Check]:
    row = readiness(xero_organisation)
    organisation_id = xero_organisation.organisation_id
    tax_names = set(ZohoTax.objects.filter(organisation_id=organisation_id).values_list("name", flat=True))
    saved_taxes = set(TaxMapping.objects.filter(xero_organisation=xero_organisation).exclude(xero_tax_type="")
                      .values_list("zoho_tax_name", flat=True))
    unsaved_taxes = sorted(tax_names - saved_taxes)
    accounts = default_accounts(xero_organisation)
    missing_accounts = [m for m in ACCOUNT_CODE_MODULES if not accounts.get(m)]
    return [
        Check("mapping", _("Field mapping reviewed"), row.mapping_reviewed_at is not None, reverse("mapping:index")),
        Check("taxes", _("Tax mapping saved"), not unsaved_taxes, _with_xero("mapping:taxes", xero_organisation),
              detail=", ".join(unsaved_taxes)),
        Check("accounts", _("Default sales accounts chosen in the chart of accounts"), not missing_accounts,
              _with_xero("mapping:accounts", xero_organisation)),
        Check("dry_run", _("A dry run looked at"), row.dry_run_seen_at is not None, reverse("sync:historical")),
    ]


@transaction.atomic
def start_syncing(xero_organisation, module: str, direction: str) -> ModuleSettings:
    """The admin's say-so for one module in one direction: Allow Sync, Create, Update and Cron Sync on."""
    if module not in SYNCED_MODULES or direction not in DIRECTIONS:
        raise ValueError(f"cannot start {module} {direction}")
    settings_services.all_module_settings(xero_organisation)
    settings = ModuleSettings.objects.select_for_update().get(xero_organisation=xero_organisation, module=module)
    settings.allow_sync = settings.cron = True
    setattr(settings, f"{direction}_create", True)
    setattr(settings, f"{direction}_update", True)
    settings.save()
    return settings


@transaction.atomic
def stop_syncing(xero_organisation, module: str, direction: str) -> ModuleSettings:
    """Nothing more is written in `direction` for the module; Allow Sync goes off when neither direction writes."""
    if module not in SYNCED_MODULES or direction not in DIRECTIONS:
        raise ValueError(f"cannot stop {module} {direction}")
    settings_services.all_module_settings(xero_organisation)
    settings = ModuleSettings.objects.select_for_update().get(xero_organisation=xero_organisation, module=module)
    for action in ("create", "update", "delete"):
        setattr(settings, f"{direction}_{action}", False)
    if not any(settings.started(d) for d in DIRECTIONS):
        settings.allow_sync = settings.cron = False
    settings.save()
    return settings


def module_states(xero_organisation, *, ready: bool | None = None, on_save: bool | None = None) -> list[ModuleState]:
    """Per module and direction: whether it syncs, and if not, why not (in plain words)."""
    organisation = xero_organisation.organisation
    if ready is None:
        ready = connection_services.ready_for_sync(organisation, xero_organisation)
    if on_save is None:
        on_save = settings_services.on_save_sync_enabled(organisation)
    states = []
    for settings in settings_services.all_module_settings(xero_organisation):
        directions = []
        for direction in DIRECTIONS:
            started = settings.started(direction)
            reasons = []
            if not ready:
                reasons.append(_("the connections are not ready (connect both sides, choose this Xero "
                                 "organisation, accept the terms, reconnect what needs it)"))
            if not started:
                reasons.append(_("nobody has pressed Start syncing yet"))
            elif not settings.cron and not (on_save and direction == ZOHO_TO_XERO):
                reasons.append(_("no trigger is on (Cron Sync is off)"))
            directions.append(DirectionState(direction, DIRECTION_LABELS[direction], syncing=not reasons,
                                             started=started, reasons=reasons))
        states.append(ModuleState(settings.module, MODULE_LABELS[settings.module], directions))
    return states


def anything_started(organisation) -> bool:
    """Whether onboarding is over: some module of a chosen Xero organisation writes in some direction."""
    for settings in ModuleSettings.objects.filter(organisation=organisation, allow_sync=True,
                                                  xero_organisation__selected=True):
        if any(settings.started(d) for d in DIRECTIONS):
            return True
    return False
