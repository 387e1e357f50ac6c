"""Cron Sync: every ten minutes, each organisation's modules with Cron Sync on, both directions, incrementally
from a watermark; a nightly full reconciliation catches what Xero's If-Modified-Since misses (xero.md §3, §7).

- Never two overlapping runs for one portal organisation: `claim` is one conditional UPDATE on its CronClaim row.
- Watermarks come from the providers' own clocks: the newest modification time seen. Zoho's If-Modified-Since is
  inclusive and Zoho's times are whole seconds, so one second later. Xero's times have milliseconds but the
  If-Modified-Since header whole seconds: the watermark keeps the exact time, and the gateway drops what the
  header's second brings back that is not newer than it (`XeroGateway.read`), so a change made later in the same
  second as the newest one read is read by the next pass, and nothing is read twice. A cron with nothing changed
  reads one page per module and direction.
- Order (`run_organisation`): module by module in dependency order; within a module, Xero -> Zoho for every Xero
  organisation first, then Zoho -> Xero for every one. Zoho is the hub: once every organisation's changes (and
  conflicts) have reached it, each organisation takes the result from it in the same pass, so the outcome does not
  depend on the order in which the organisations are visited (a change one organisation writes to Zoho reaches
  the others without waiting for a notification or the next pass).
- Deletions: Zoho deletions are read (a second call, `/deleted`) when Delete is switched on for Zoho -> Xero, and
  always by the nightly reconciliation; Xero archives and voids arrive with the changed records.
"""

import logging
import uuid
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from connections import services as connection_services

from .. import runs, settings_services
from ..engine.fingerprint import parse_time
from ..engine.modules import MODULE_ORDER, XERO_TO_ZOHO, ZOHO, ZOHO_TO_XERO, sides, spec
from ..models import ModuleSettings, RunStatus, SyncRun
from ..trigger_models import CronClaim, Watermark

logger = logging.getLogger(__name__)

HUB_ORDER = (XERO_TO_ZOHO, ZOHO_TO_XERO)  # Zoho is the hub: collect every organisation's changes, then fan out
CLAIM_SECONDS = 30 * 60  # as long as the task's time limit: a dead worker's claim lapses by itself


def organisations_due():
    """Portal organisations with at least one module whose Cron Sync and Allow Sync are on, ready to sync."""
    from tenancy.models import Organisation

    ids = ModuleSettings.objects.filter(cron=True, allow_sync=True, xero_organisation__selected=True).values_list(
        "organisation_id", flat=True).distinct()
    for organisation in Organisation.objects.filter(pk__in=list(ids)):
        if connection_services.ready_for_sync(organisation):
            yield organisation


def claim(organisation, owner: str) -> bool:
    """Atomically take the organisation's cron claim (free, expired, or already ours)."""
    CronClaim.objects.get_or_create(organisation=organisation)
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=owner)
    return bool(CronClaim.objects.filter(free, organisation=organisation).update(
        claimed_by=owner, claimed_until=now + timedelta(seconds=CLAIM_SECONDS), last_started_at=now))


def release(organisation, owner: str) -> None:
    CronClaim.objects.filter(organisation=organisation, claimed_by=owner).update(
        claimed_by="", claimed_until=None, last_finished_at=timezone.now())


def run_organisation(organisation, *, full: bool = False, owner: str | None = None) -> list[SyncRun] | None:
    """One cron pass (or the nightly reconciliation with `full`) over the organisation; None when another
    pass holds the claim."""
    owner = owner or uuid.uuid4().hex
    if not claim(organisation, owner):
        logger.info("Cron for organisation %s skipped: another run holds the claim", organisation.pk)
        return None
    finished = []
    try:
        xero_organisations = [xero_organisation
                              for xero_organisation in connection_services.selected_xero_organisations(organisation)
                              if connection_services.ready_for_sync(organisation, xero_organisation)]
        for module in MODULE_ORDER:  # dependency order: accounts, contacts, products, invoices
            for direction in HUB_ORDER:  # every organisation's changes to Zoho first, then Zoho to every one
                for xero_organisation in xero_organisations:
                    finished += _run_if_on(xero_organisation, module, direction, full=full)
    finally:
        release(organisation, owner)
    return finished


def run_xero_organisation(xero_organisation, *, full: bool = False) -> list[SyncRun]:
    """One cron pass over one Xero organisation's modules (dependency order, both directions: Xero -> Zoho first).
    Passes of several Xero organisations may run at once: the module lock is shared by all organisations of a
    tenant. (What another organisation's pass writes to Zoho meanwhile reaches this one by notification or by the
    next pass; `run_organisation` orders the directions across organisations so that it needs neither.)"""
    finished = []
    if not connection_services.ready_for_sync(xero_organisation.organisation, xero_organisation):
        return finished
    for module in MODULE_ORDER:  # dependency order: accounts, contacts, products, invoices
        for direction in HUB_ORDER:
            finished += _run_if_on(xero_organisation, module, direction, full=full)
    return finished


def _run_if_on(xero_organisation, module: str, direction: str, *, full: bool) -> list[SyncRun]:
    module_settings = settings_services.module_settings(xero_organisation, module)
    if not (module_settings.cron and module_settings.allow_sync):
        return []
    return [run_module(xero_organisation, module, direction, full=full,
                       deletes=full or module_settings.allows(direction, "delete"))]


def _next_since(run: SyncRun, source_side: str, previous):
    newest = previous
    for snapshot in run.items.filter(snapshot__isnull=False).values_list("snapshot", flat=True).iterator():
        moment = parse_time(spec(run.module).modified(source_side, snapshot or {}))
        if moment is not None and (newest is None or moment > newest):
            newest = moment
    if newest is None or newest == previous:
        return previous
    if source_side == ZOHO:
        return newest.replace(microsecond=0) + timedelta(seconds=1)  # If-Modified-Since is inclusive
    # Xero: the exact time; the header's whole second reads it again, and the gateway drops what is not newer
    return newest


def run_module(xero_organisation, module: str, direction: str, *, full: bool = False, deletes: bool = True):
    watermark, _ = Watermark.objects.get_or_create(
        xero_organisation=xero_organisation, module=module, direction=direction,
        defaults={"organisation_id": xero_organisation.organisation_id})
    since = None if full else watermark.since
    run = runs.create_run(xero_organisation, module, direction, trigger="cron", since=since)
    include_deletes = deletes if direction == ZOHO_TO_XERO else True
    if not include_deletes:
        SyncRun.objects.filter(pk=run.pk).update(include_deletes=False)
    finished = runs.process_run(run.pk) or SyncRun.objects.get(pk=run.pk)
    if finished.status == RunStatus.DONE:
        source_side, _target = sides(direction)
        now = timezone.now()
        changes = {"since": _next_since(finished, source_side, watermark.since), "last_run_at": now}
        if full:
            changes["last_full_at"] = now
        Watermark.objects.filter(pk=watermark.pk).update(**changes)
    return finished
