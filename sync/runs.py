"""Checkpointed sync runs: collect the source records once, then process them chunk by chunk.

A worker claims a run with a lease (a conditional UPDATE, so two deliveries never process it at once) and
renews it after every chunk. Each chunk's provider writes happen first; then, in one transaction, the links,
the audit entries and the items' states. A worker killed in between leaves the chunk's items pending: the next
worker re-plans them, and matching (ContactNumber, item code, invoice number, the Zoho field holding the Xero id)
finds what was already written, while a replayed identical Xero batch carries the same Idempotency-Key. So a
killed worker loses nothing and repeats nothing. Runs whose lease expired are resumed by `resume_stale_runs`.
"""

import logging
import os
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from connections.exceptions import TransientError

from . import failures
from .context import SyncContext, checkpoint
from .engine.batch import run_batch
from .engine.modules import XERO, XERO_TO_ZOHO, ZOHO, ZOHO_TO_XERO, sides, spec
from .engine.operations import FAILED, SKIPPED, SUCCESS
from .models import ItemState, RecordLink, RunStatus, SyncItem, SyncRun

logger = logging.getLogger(__name__)

CHUNK = {ZOHO_TO_XERO: 50, XERO_TO_ZOHO: 100}  # one Xero batch of 50 / one Zoho call of 100


def lease_seconds() -> int:
    """How long a worker's claim on a run lasts without renewal (renewed after every chunk). Setting
    SYNC_RUN_LEASE_SECONDS, or the environment variable of that name; default 120."""
    return int(getattr(settings, "SYNC_RUN_LEASE_SECONDS", None) or os.environ.get("SYNC_RUN_LEASE_SECONDS") or 120)


@contextmanager
def module_lock(xero_organisation, module: str, *, timeout: float | None = None):
    """One chunk at a time per Xero organisation and module, across workers (the shared cache: Redis in
    production), so on-save, cron and historical runs never create the same record twice. Yields whether it
    had to wait (then the caller reloads what another run may have changed). A dead worker's lock expires."""
    key = f"sync:lock:{xero_organisation.pk}:{module}"
    token = uuid.uuid4().hex
    expiry = lease_seconds()
    deadline = time.monotonic() + (timeout if timeout is not None else expiry)
    waited = False
    while not cache.add(key, token, timeout=expiry):
        waited = True
        if time.monotonic() > deadline:
            raise TransientError(f"module {module} is busy with another sync run", provider="sync")
        time.sleep(0.2)
    try:
        yield waited
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def create_run(xero_organisation, module, direction, *, trigger, ids=None, since=None, resync_of=None) -> SyncRun:
    return SyncRun.objects.create(
        organisation_id=xero_organisation.organisation_id,
        xero_organisation=xero_organisation,
        module=module,
        direction=direction,
        trigger=trigger,
        requested_ids=[str(i) for i in ids] if ids is not None else None,
        since=since,
        resync_of=resync_of,
    )


def claim(run_id, owner: str) -> bool:
    now = timezone.now()
    claimable = Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, lease_until__lt=now) | Q(
        status=RunStatus.RUNNING, lease_owner=owner
    )
    return bool(
        SyncRun.objects.filter(claimable, pk=run_id).update(
            status=RunStatus.RUNNING, lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds())
        )
    )


def _renew(run: SyncRun, owner: str) -> bool:
    return bool(
        SyncRun.objects.filter(pk=run.pk, lease_owner=owner, status=RunStatus.RUNNING).update(
            lease_until=timezone.now() + timedelta(seconds=lease_seconds())
        )
    )


def process_run(run_id, *, owner: str | None = None, context: SyncContext | None = None) -> SyncRun | None:
    """Process a run to the end (or return None when another worker holds it). `context`: one the caller keeps
    across several runs of the same Xero organisation and trigger (a historical job's chunks), so reference data,
    links and the target's records read for matching are read once, not once per run."""
    owner = owner or uuid.uuid4().hex
    if not claim(run_id, owner):
        return None
    run = SyncRun.objects.select_related("xero_organisation__organisation", "resync_of").get(pk=run_id)
    if context is None:
        context = SyncContext(run.xero_organisation, trigger=run.trigger, resync_of=run.resync_of)
    if not run.collected:
        collect(run, context)
    while True:
        items = list(run.items.filter(state=ItemState.PENDING).order_by("id")[: CHUNK[run.direction]])
        if not items:
            break
        process_chunk(run, context, items)
        if not _renew(run, owner):
            logger.warning("Sync run %s was taken over by another worker", run.pk)
            return None
    SyncRun.objects.filter(pk=run.pk, lease_owner=owner).update(
        status=RunStatus.DONE, finished_at=timezone.now(), lease_until=None
    )
    run.refresh_from_db()
    return run


def collect(run: SyncRun, context: SyncContext) -> None:
    """Read the source records (snapshots) and deletions into items, once."""
    source_side, _target_side = sides(run.direction)
    gateway = context.gateway(source_side)
    module_spec = spec(run.module)
    ids = run.requested_ids
    records = gateway.read(run.module, ids=ids, since=run.since)
    if run.module == "accounts" and source_side == XERO:  # Xero contacts of Zoho contacts are not accounts
        from . import contacts_sync

        records = contacts_sync.without_own_contacts(context, records)
    seen = {module_spec.record_id(source_side, record) for record in records}
    deleted: set[str] = set()
    if ids is not None:
        deleted = {str(i) for i in ids} - seen
    elif run.include_deletes:
        if source_side == ZOHO:
            deleted = set(gateway.deleted(run.module, since=run.since))
        elif run.module == "products" and run.since is None:
            linked = RecordLink.objects.filter(
                xero_organisation=run.xero_organisation, module=run.module, state="linked"
            ).values_list("xero_id", flat=True)
            deleted = set(linked) - seen
    items = [SyncItem(run=run, source_id=module_spec.record_id(source_side, r), snapshot=r) for r in records]
    items += [SyncItem(run=run, source_id=i, deleted=True) for i in sorted(deleted - seen)]
    SyncItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=500)
    SyncRun.objects.filter(pk=run.pk).update(collected=True, total=run.items.count())
    run.collected = True


def _dependencies(run: SyncRun, context: SyncContext, sources: list[dict]) -> None:
    """Sync (or match) an invoice's account and products before the invoice itself."""
    if run.module == "contacts":
        from . import contacts_sync

        return contacts_sync.dependencies(context, run.direction, sources, sync_inline)
    if run.module != "invoices" or not sources:
        return
    if run.direction == ZOHO_TO_XERO:
        accounts, products = set(), set()
        for invoice in sources:
            for key in ("Account_Name",):
                value = invoice.get(key)
                if isinstance(value, dict) and value.get("id"):
                    accounts.add(str(value["id"]))
            for line in invoice.get("Invoiced_Items") or []:
                product = line.get("Product_Name")
                if isinstance(product, dict) and product.get("id"):
                    products.add(str(product["id"]))
        wanted = {
            "accounts": [i for i in accounts if context.links("accounts").get(ZOHO, i) is None],
            "products": [i for i in products if context.links("products").get(ZOHO, i) is None],
        }
    else:
        contacts = {str((inv.get("Contact") or {}).get("ContactID")) for inv in sources if (inv.get("Contact") or {}).get("ContactID")}
        codes = {line.get("ItemCode") for inv in sources for line in inv.get("LineItems") or [] if line.get("ItemCode")}
        linked_codes = {link.xero_code for link in context.links("products").by_zoho.values()}
        item_ids = []
        if codes - linked_codes:
            item_ids = [item["ItemID"] for item in context.xero._everything("products") if item.get("Code") in codes - linked_codes]
        wanted = {
            "accounts": [i for i in contacts if context.links("accounts").get(XERO, i) is None],
            "products": item_ids,
        }
    for module, ids in wanted.items():
        if ids and context.module_settings(module).allow_sync:
            sync_inline(context, module, run.direction, ids,
                        retry_failed=run.trigger in failures.RETRY_TRIGGERS)


def sync_inline(context: SyncContext, module: str, direction: str, ids, *, retry_failed: bool = True) -> list:
    """Sync some records of a module now, within the caller's context (dependencies, small resyncs).

    `retry_failed=False` (an invoice's dependencies): a record whose last attempt failed for a reason of its own
    and that has not changed since is not tried again, so one failing product is reported once, not once more
    for every invoice that needs it; those invoices say that they wait on it."""
    source_side, _ = sides(direction)
    gateway = context.gateway(source_side)
    records = gateway.read(module, ids=list(ids))
    found = {spec(module).record_id(source_side, r) for r in records}
    deleted = [str(i) for i in ids if str(i) not in found]
    if not retry_failed:
        records = failures.without_unchanged_failures(context.xero_organisation, module, direction, records)
    with module_lock(context.xero_organisation, module) as waited:
        if waited:
            context.refresh()
        operations = _batch(context, module, direction, records, deleted)
        checkpoint(context)
    return operations


def _batch(context, module, direction, sources, deleted):
    if module == "contacts":
        from . import contacts_sync

        return contacts_sync.run_contacts_batch(context, direction, sources, deleted)
    _source_side, target_side = sides(direction)
    return run_batch(
        module,
        direction,
        sources=sources,
        deleted_ids=deleted,
        target=context.gateway(target_side),
        links=context.links(module),
        store=context.store(module),
        audit=context.audit(),
        policy=context.policy(module, direction),
        transforms=context.transforms(module),
    )


def process_chunk(run: SyncRun, context: SyncContext, items: list[SyncItem]) -> None:
    sources = [item.snapshot for item in items if not item.deleted and item.snapshot]
    deleted = [item.source_id for item in items if item.deleted]
    SyncItem.objects.filter(pk__in=[item.pk for item in items]).update(attempts=F("attempts") + 1)
    _dependencies(run, context, sources)
    with module_lock(run.xero_organisation, run.module) as waited:
        if waited:
            context.refresh()
        _process_locked(run, context, items, sources, deleted)


def _process_locked(run, context, items, sources, deleted) -> None:
    operations = _batch(context, run.module, run.direction, sources, deleted)
    by_source = {op.source_id: op for op in operations}
    now = timezone.now()

    def mark_items():
        failed = 0
        for item in items:
            operation = by_source.get(item.source_id)
            state = ItemState.DONE
            if operation is not None and operation.status == FAILED:
                state, failed = ItemState.FAILED, failed + 1
            SyncItem.objects.filter(pk=item.pk).update(
                state=state,
                action=(operation.action if operation else ""),
                target_id=(operation.target_id or "")[:64] if operation else "",
                processed_at=now,
            )
        SyncRun.objects.filter(pk=run.pk).update(done=F("done") + len(items) - failed, failed=F("failed") + failed)

    checkpoint(context, mark_items)


def resume_stale_runs() -> list:
    """Runs whose worker died (lease expired): their ids, to enqueue again."""
    return list(
        SyncRun.objects.filter(status=RunStatus.RUNNING, lease_until__lt=timezone.now()).values_list("pk", flat=True)
    ) + list(
        SyncRun.objects.filter(
            status=RunStatus.PENDING, created_at__lt=timezone.now() - timedelta(seconds=lease_seconds())
        ).values_list("pk", flat=True)
    )


__all__ = ["SUCCESS", "SKIPPED", "create_run", "process_run", "resume_stale_runs", "sync_inline"]
