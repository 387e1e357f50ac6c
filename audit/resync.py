"""Resync from the audit log: one failed entry (the Resync button) or every failed entry of a filtered set
("Resync all failed"). The sync itself is sync.services.resync_entry; this module queues it idempotently.

- `request_resync(entry, user)`: a ResyncRequest marker plus a task on "realtime" (after commit).
- `run_request(organisation_id, entry_id, request_id)`: what the task does; claims the marker atomically, so a
  duplicate delivery of the same request does nothing.
- `start_batch(organisation, filters, user)` / `walk_batch(batch_id, cursor)`: the walk, one chunk per step,
  newest first, queuing only the latest failed entry per record (and not records whose later attempt succeeded).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from .forms import AuditFilterForm
from .listing import apply_filters
from .models import (
    ACTIVE_RESYNC_STATUSES,
    AuditEntry,
    Direction,
    Module,
    ResyncBatch,
    ResyncRequest,
    ResyncStatus,
    Status,
)
from .services import record

logger = logging.getLogger(__name__)

# Modules the sync engine syncs (sync.engine.modules.MODULE_ORDER; kept here so audit imports no engine code, and
# a test keeps the two equal): a record's failed entry of any of them can be resynced, in either direction.
RESYNC_MODULES = (Module.ACCOUNTS, Module.CONTACTS, Module.PRODUCTS, Module.INVOICES)
SYNC_DIRECTIONS = (Direction.ZOHO_TO_XERO, Direction.XERO_TO_ZOHO)
# A claimed request whose worker died is claimed again after this long (the task's time limit is 300 s).
CLAIM_LEASE = datetime.timedelta(minutes=10)
# "Resync all failed": entries scanned per step, and the most entries one step may scan in all.
BATCH_CHUNK = 200
BATCH_SCAN_LIMIT = 50_000
# The filter fields a batch keeps (the Audit page's filters; not sorting or paging).
BATCH_FILTER_FIELDS = ("date_from", "date_to", "module", "direction", "status", "trigger", "action", "xero", "q")

RESYNC_UNREACHABLE = gettext_noop(
    "Resync failed: Zoho CRM or Xero could not be reached, even after several tries. Try the resync again later."
)
RESYNC_REVOKED = gettext_noop(
    "Resync failed: the portal's access to Zoho CRM or Xero was revoked or has expired. Reconnect it on the "
    "Connections page, then resync."
)


def batch_limit() -> int:
    return getattr(settings, "AUDIT_RESYNC_ALL_LIMIT", 1000)


def source_id(entry: AuditEntry) -> str:
    return entry.zoho_id if entry.direction == Direction.ZOHO_TO_XERO else entry.xero_id


def record_key(entry: AuditEntry) -> str:
    """The record an entry is about: Xero organisation, module, direction and source id."""
    return "|".join((entry.xero_tenant_id, entry.module, entry.direction, source_id(entry)))


def can_resync(entry: AuditEntry) -> bool:
    """A failed attempt to sync a record of a synced module, with the source id to read it again."""
    return (
        entry.status == Status.FAILED
        and entry.module in RESYNC_MODULES
        and entry.direction in SYNC_DIRECTIONS
        and bool(source_id(entry))
    )


def resyncable(queryset):
    """The entries of `queryset` that `can_resync` (as a filter, for the batch walk)."""
    return queryset.filter(status=Status.FAILED, module__in=RESYNC_MODULES).filter(
        Q(direction=Direction.ZOHO_TO_XERO) & ~Q(zoho_id="") | Q(direction=Direction.XERO_TO_ZOHO) & ~Q(xero_id="")
    )


def pending_entry_ids(entry_ids) -> set:
    """Of `entry_ids`, the entries with a resync queued or running."""
    return set(
        ResyncRequest.objects.filter(entry_id__in=list(entry_ids), status__in=ACTIVE_RESYNC_STATUSES).values_list(
            "entry_id", flat=True
        )
    )


def fixing_resyncs(entry_ids) -> dict:
    """Of `entry_ids`, the failed entries a later resync succeeded for: {failed entry id: that resync's id}."""
    found = AuditEntry.objects.filter(resync_of_id__in=list(entry_ids), status=Status.SUCCESS).order_by("created_at")
    return dict(found.values_list("resync_of_id", "pk"))


def _enqueue(request: ResyncRequest, queue: str = "realtime") -> None:
    from .tasks import resync_entry_task

    args = [str(request.organisation_id), str(request.entry_id), str(request.pk)]
    transaction.on_commit(lambda: resync_entry_task.apply_async(args=args, queue=queue))


def request_resync(entry: AuditEntry, user=None) -> tuple[ResyncRequest, bool]:
    """Queue a resync of `entry` (after commit). Returns (request, created); when a resync of this entry (or of
    its record) is already queued or running, that one is returned and nothing more is queued."""
    key = record_key(entry)
    active = ResyncRequest.objects.filter(
        organisation_id=entry.organisation_id, record_key=key, status__in=ACTIVE_RESYNC_STATUSES
    ).first()
    if active is not None:
        return active, False
    try:
        with transaction.atomic():
            request = ResyncRequest.objects.create(
                organisation_id=entry.organisation_id, entry=entry, record_key=key, requested_by=user
            )
    except IntegrityError:  # a second press raced us to the marker
        return ResyncRequest.objects.get(entry=entry, status__in=ACTIVE_RESYNC_STATUSES), False
    _enqueue(request)
    return request, True


def _claim(request_id, organisation_id, entry_id) -> bool:
    now = timezone.now()
    claimable = Q(status=ResyncStatus.QUEUED) | Q(status=ResyncStatus.RUNNING, started_at__lt=now - CLAIM_LEASE)
    return bool(
        ResyncRequest.objects.filter(pk=request_id, organisation_id=organisation_id, entry_id=entry_id)
        .filter(claimable)
        .update(status=ResyncStatus.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )


def release(request_id) -> None:
    """Give a claimed request back (a transient failure: the task retries it)."""
    ResyncRequest.objects.filter(pk=request_id, status=ResyncStatus.RUNNING).update(status=ResyncStatus.QUEUED)


def finish(request_id, *, result=None, failed=False) -> None:
    ResyncRequest.objects.filter(pk=request_id).update(
        status=ResyncStatus.FAILED if failed else ResyncStatus.DONE, result=result, finished_at=timezone.now()
    )


def run_request(organisation_id, entry_id, request_id, resync=None) -> AuditEntry | None:
    """Claim the request, reload the entry within its organisation and resync it. None when there is nothing
    to do (entry gone, request already claimed or done). Provider exceptions propagate (after `release`
    for transient ones is the caller's choice); `resync` defaults to sync.services.resync_entry."""
    entry = AuditEntry.objects.select_related("organisation").filter(pk=entry_id, organisation_id=organisation_id).first()
    if entry is None:
        ResyncRequest.objects.filter(
            pk=request_id, organisation_id=organisation_id, status__in=ACTIVE_RESYNC_STATUSES
        ).update(
            status=ResyncStatus.FAILED, finished_at=timezone.now()
        )
        return None
    if not _claim(request_id, organisation_id, entry_id):
        logger.info("Resync request %s is already claimed or done", request_id)
        return None
    if resync is None:
        from sync.services import resync_entry as resync
    new_entry = resync(entry, trigger="resync")
    finish(request_id, result=new_entry, failed=new_entry is None or new_entry.status == Status.FAILED)
    return new_entry


def record_failure(organisation_id, entry_id, request_id, *, revoked: bool) -> AuditEntry | None:
    """The resync could not run (revoked grant, or the provider stayed unreachable): say so in a new entry
    linked to the first, and close the request."""
    entry = AuditEntry.objects.filter(pk=entry_id, organisation_id=organisation_id).first()
    if entry is None:
        finish(request_id, failed=True)
        return None
    new_entry = record(
        organisation=entry.organisation,
        module=entry.module,
        action="skip",
        status=Status.FAILED,
        message_key=RESYNC_REVOKED if revoked else RESYNC_UNREACHABLE,
        xero_tenant_id=entry.xero_tenant_id,
        xero_tenant_name=entry.xero_tenant_name,
        record_name=entry.record_name,
        zoho_id=entry.zoho_id,
        xero_id=entry.xero_id,
        direction=entry.direction,
        trigger="resync",
        resync_of=entry,
    )
    finish(request_id, result=new_entry, failed=True)
    return new_entry


# ---- "Resync all failed" ----------------------------------------------------------------------------------


def batch_filters(params) -> dict:
    """The filter fields of a query dict, as a plain dict to store on the batch (empty values dropped)."""
    return {name: params.get(name) for name in BATCH_FILTER_FIELDS if params.get(name)}


def batch_queryset(organisation, filters: dict, *, until=None):
    """The resyncable failed entries of `organisation` matching the Audit page's `filters`."""
    form = AuditFilterForm(filters)
    form.is_valid()
    queryset = apply_filters(AuditEntry.objects.filter(organisation=organisation), form.filters())
    if until is not None:
        queryset = queryset.filter(created_at__lte=until)
    return resyncable(queryset)


def start_batch(organisation, filters: dict, user=None) -> ResyncBatch:
    """Record the press and queue the walk's first step (after commit)."""
    from .tasks import resync_failed_task

    batch = ResyncBatch.objects.create(organisation=organisation, requested_by=user, filters=batch_filters(filters))
    transaction.on_commit(lambda: resync_failed_task.apply_async(args=[str(batch.pk), ""], queue="default"))
    return batch


def _encode_cursor(entry) -> str:
    return f"{entry.created_at.isoformat()}|{entry.pk}"


def _after_cursor(queryset, cursor: str):
    if not cursor:
        return queryset
    created, _, pk = cursor.partition("|")
    created_at = datetime.datetime.fromisoformat(created)
    return queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))


def _succeeded_later(organisation_id, entries) -> set:
    """Record keys (of `entries`) that have a later successful or skipped attempt than the given entry."""
    fixed = set()
    for direction, id_field in ((Direction.ZOHO_TO_XERO, "zoho_id"), (Direction.XERO_TO_ZOHO, "xero_id")):
        wanted = [e for e in entries if e.direction == direction]
        if not wanted:
            continue
        latest = (
            AuditEntry.objects.filter(
                organisation_id=organisation_id,
                direction=direction,
                status__in=(Status.SUCCESS, Status.SKIPPED),
                **{f"{id_field}__in": {getattr(e, id_field) for e in wanted}},
            )
            .values("xero_tenant_id", "module", id_field)
            .annotate(latest=Max("created_at"))
        )
        best = {(row["xero_tenant_id"], row["module"], row[id_field]): row["latest"] for row in latest}
        for e in wanted:
            later = best.get((e.xero_tenant_id, e.module, getattr(e, id_field)))
            if later is not None and later > e.created_at:
                fixed.add(record_key(e))
    return fixed


def walk_batch(batch_id, cursor: str) -> str | None:
    """One step of the walk from `cursor`. Returns the next cursor to queue, or None when the walk is over or
    this step was not ours to take (another delivery already took it)."""
    with transaction.atomic():
        batch = ResyncBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in (ResyncStatus.DONE, ResyncStatus.FAILED) or batch.cursor != cursor:
            return None
        limit = batch_limit()
        chunk = list(
            _after_cursor(batch_queryset(batch.organisation, batch.filters, until=batch.created_at), cursor)
            .order_by("-created_at", "-id")
            .only("id", "organisation_id", "created_at", "module", "direction", "xero_tenant_id", "zoho_id", "xero_id",
                  "status")[:BATCH_CHUNK]
        )
        keys = {record_key(e) for e in chunk}
        taken = set(
            ResyncRequest.objects.filter(organisation_id=batch.organisation_id, record_key__in=keys)
            .filter(Q(batch=batch) | Q(status__in=ACTIVE_RESYNC_STATUSES))
            .values_list("record_key", flat=True)
        )
        fixed = _succeeded_later(batch.organisation_id, chunk)
        new_requests = []
        for entry in chunk:  # newest first: the first entry of a record is its latest failed one
            key = record_key(entry)
            if key in taken or key in fixed:
                if key not in taken:
                    batch.skipped += 1
                taken.add(key)
                continue
            if batch.queued + len(new_requests) >= limit:
                batch.limit_reached = True
                break
            taken.add(key)
            new_requests.append(
                ResyncRequest(organisation_id=batch.organisation_id, entry=entry, batch=batch, record_key=key,
                              requested_by_id=batch.requested_by_id)
            )
        ResyncRequest.objects.bulk_create(new_requests)
        for request in new_requests:
            _enqueue(request, queue="bulk")
        batch.queued += len(new_requests)
        batch.scanned += len(chunk)
        if chunk:
            batch.cursor = _encode_cursor(chunk[-1])
        over = len(chunk) < BATCH_CHUNK or batch.limit_reached or batch.scanned >= BATCH_SCAN_LIMIT
        batch.status = ResyncStatus.DONE if over else ResyncStatus.RUNNING
        if over:
            batch.finished_at = timezone.now()
        batch.save()
        return None if over else batch.cursor


def batch_progress(batch: ResyncBatch) -> dict:
    """How the queued resyncs of a batch are doing."""
    counts = {status: 0 for status in ResyncStatus.values}
    for row in batch.requests.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return {
        "pending": counts[ResyncStatus.QUEUED] + counts[ResyncStatus.RUNNING],
        "done": counts[ResyncStatus.DONE],
        "failed": counts[ResyncStatus.FAILED],
    }
