"""What other apps call to sync. Views, tasks and triggers go through these functions.

- `sync_records(xero_organisation, module, direction, ids=None, since=None, trigger=...)`: sync now, in this
  process, through a checkpointed run (returns the finished SyncRun).
- `start_sync(...)`: the same as a Celery task, queued after the current transaction commits.
- `resync_entry(audit_entry, trigger="resync")`: re-read the entry's source record, sync it again, and return
  the new audit entry (linked to the first with `resync_of`).
"""

import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from audit.models import AuditEntry
from audit.services import record as audit_record
from connections import services as connection_services
from connections.models import XeroOrganisation

from . import runs, settings_services
from .engine.modules import MODULES, XERO_TO_ZOHO, ZOHO_TO_XERO
from .models import SyncRun

logger = logging.getLogger(__name__)

NOT_READY = gettext_noop(
    "Not synced: the connections are not ready (connect Zoho CRM and Xero, accept the terms, and reconnect any "
    "connection marked \"reconnect needed\"), then resync."
)
UNSUPPORTED = gettext_noop("The module %(module)s cannot be synced by this version of the portal.")
SOURCE_GONE = gettext_noop("Resync: the record no longer exists in %(source)s, so there was nothing to sync again.")


class SyncNotAllowed(Exception):
    """The module is switched off (Allow Sync) or the connections are not ready."""


def _check(xero_organisation, module: str, direction: str) -> None:
    if module not in MODULES:
        raise SyncNotAllowed(f"module {module} is not synced")
    if direction not in (ZOHO_TO_XERO, XERO_TO_ZOHO):
        raise ValueError(f"unknown direction {direction!r}")
    if not settings_services.module_settings(xero_organisation, module).allow_sync:
        raise SyncNotAllowed(f"Allow Sync is off for {module}")
    if not connection_services.ready_for_sync(xero_organisation.organisation, xero_organisation):
        raise SyncNotAllowed("connections are not ready")


def sync_records(xero_organisation, module, direction, ids=None, since=None, trigger="system", resync_of=None):
    """Sync `module` in `direction` now: the given source ids, or what changed since `since`, or everything.

    Returns the finished SyncRun (its items say what happened to each record; every attempt has an audit
    entry). Raises SyncNotAllowed when the module is switched off or the connections are not ready, and the
    provider errors of connections.exceptions when a provider is unavailable (the run stays resumable).
    """
    _check(xero_organisation, module, direction)
    run = runs.create_run(xero_organisation, module, direction, trigger=trigger, ids=ids, since=since,
                          resync_of=resync_of)
    return runs.process_run(run.pk) or run


def prepare_run(xero_organisation, module, direction, ids=None, trigger="system", origin: str = "") -> SyncRun:
    """The run that syncs these ids, created once per `origin` (a retried task finds its own run again).
    Raises SyncNotAllowed like sync_records."""
    _check(xero_organisation, module, direction)
    return runs.create_run(xero_organisation, module, direction, trigger=trigger, ids=ids, origin=origin)


def start_sync(xero_organisation, module, direction, ids=None, since=None, trigger="system", queue=None) -> SyncRun:
    """Queue a sync run (after commit); returns the pending run."""
    from .tasks import process_run_task

    _check(xero_organisation, module, direction)
    run = runs.create_run(xero_organisation, module, direction, trigger=trigger, ids=ids, since=since)
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: process_run_task.apply_async(args=[str(run.pk)], **options))
    return run


def resync_entry(audit_entry: AuditEntry, trigger: str = "resync") -> AuditEntry:
    """Re-read the source record of `audit_entry`, sync it again, and return the new audit entry."""
    direction = audit_entry.direction
    source_id = audit_entry.zoho_id if direction == ZOHO_TO_XERO else audit_entry.xero_id
    xero_organisation = XeroOrganisation.objects.filter(
        organisation=audit_entry.organisation, tenant_id=audit_entry.xero_tenant_id
    ).first()
    common = {
        "organisation": audit_entry.organisation,
        "module": audit_entry.module,
        "xero_tenant_id": audit_entry.xero_tenant_id,
        "xero_tenant_name": audit_entry.xero_tenant_name,
        "record_name": audit_entry.record_name,
        "zoho_id": audit_entry.zoho_id,
        "xero_id": audit_entry.xero_id,
        "direction": direction,
        "trigger": trigger,
        "resync_of": audit_entry,
    }
    # A contact person's entry Xero -> Zoho carries its Xero contact's id: the resync reads that contact again
    # and syncs its persons (those unchanged since their last sync write nothing).
    resyncable = audit_entry.module in MODULES
    if xero_organisation is None or not source_id or not resyncable:
        return audit_record(action="skip", status="failed", message_key=NOT_READY if xero_organisation is None
                            else UNSUPPORTED, message_params={"module": audit_entry.module}, **common)
    try:
        sync_records(xero_organisation, audit_entry.module, direction, ids=[source_id], trigger=trigger,
                     resync_of=audit_entry)
    except SyncNotAllowed:
        return audit_record(action="skip", status="failed", message_key=NOT_READY, **common)
    # (a Xero contact read again may tell about several of its persons: the one this entry was about first)
    entries = AuditEntry.objects.filter(resync_of=audit_entry).order_by("-created_at")
    new_entry = entries.filter(record_name=audit_entry.record_name).first() or entries.first()
    if new_entry is None:
        # Nothing to tell from the engine (unchanged, or gone at the source): say so.
        return audit_record(
            action="skip",
            status="skipped",
            message_key=gettext_noop("Resync: the record is already in sync; nothing needed to be written."),
            **common,
        )
    return new_entry


def latest_runs(xero_organisation, limit: int = 20):
    return SyncRun.objects.filter(xero_organisation=xero_organisation).order_by("-created_at")[:limit]
