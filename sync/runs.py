"""Checkpointed sync runs: collect the source records once, then process them chunk by chunk.

A worker claims a run with a lease (a conditional UPDATE, so two deliveries never process it at once) and
renews it after every chunk. Each chunk's provider writes happen first; then, in one transaction, the links,
the audit entries and the items' states. A worker killed in between leaves the chunk's items pending: the next
worker re-plans them, and matching (ContactNumber, item code, invoice number, the Zoho field holding the Xero id)
finds what was already written, while a replayed identical Xero batch carries the same Idempotency-Key. So a
killed worker loses nothing and repeats nothing. Runs whose lease expired are resumed by `resume_stale_runs`.

Retries converge (see `retry_or_fail`): a failed attempt keeps the run and its lease for the task's own retry
(after a backoff), and counts; after `max_attempts()` attempts without progress the run ends "failed", with an
audit entry for each record it did not sync, and nothing re-queues it. Ids that cannot be read (malformed, or
refused or failed by the provider while it answers other reads) become failed items at once, one entry each.
"""

import logging
import os
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from connections import counters
from connections.exceptions import TransientError

from . import bulk, failures, retries
from .context import SyncContext, checkpoint
from .engine.batch import run_batch
from .engine.modules import XERO, XERO_TO_ZOHO, ZOHO, ZOHO_TO_XERO, sides, spec
from .engine.operations import FAILED, SKIPPED, SUCCESS
from .models import ItemState, RecordLink, RunProblem, RunStatus, SyncItem, SyncRun
from .trigger_models import HistoricalJob

logger = logging.getLogger(__name__)

CHUNK = {ZOHO_TO_XERO: 50, XERO_TO_ZOHO: 100}  # one Xero batch of 50 / one Zoho call of 100


def lease_seconds() -> int:
    """How long a worker's claim on a run lasts without renewal (renewed after every chunk). Setting
    SYNC_RUN_LEASE_SECONDS, or the environment variable of that name; default 120."""
    return int(getattr(settings, "SYNC_RUN_LEASE_SECONDS", None) or os.environ.get("SYNC_RUN_LEASE_SECONDS") or 120)


def _shared_cache() -> bool:
    """Whether the cache is shared between processes (Redis): otherwise locks live in the database."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return not backend.endswith(("LocMemCache", "DummyCache"))


class _CacheLock:
    def __init__(self, key: str):
        self.key, self.generation_key = key, f"{key}:generation"

    def acquire(self, token: str, expiry: int) -> bool:
        return cache.add(self.key, token, timeout=expiry)

    def generation(self) -> int:
        return int(cache.get(self.generation_key) or 0)

    def release(self, token: str) -> int:
        cache.add(self.generation_key, 0, timeout=None)
        generation = cache.incr(self.generation_key)
        if cache.get(self.key) == token:
            cache.delete(self.key)
        return generation


class _DatabaseLock:
    """A lease row per key, taken with one conditional UPDATE (works on SQLite and PostgreSQL, across processes,
    without holding a transaction open during the provider calls)."""

    def __init__(self, key: str):
        from .models import SyncLock

        self.model, self.key = SyncLock, key
        SyncLock.objects.get_or_create(key=key)

    def acquire(self, token: str, expiry: int) -> bool:
        now = timezone.now()
        free = Q(holder="") | Q(until__lt=now)
        return bool(self.model.objects.filter(free, key=self.key).update(
            holder=token, until=now + timedelta(seconds=expiry)))

    def generation(self) -> int:
        return self.model.objects.filter(key=self.key).values_list("generation", flat=True).first() or 0

    def release(self, token: str) -> int:
        self.model.objects.filter(key=self.key).update(generation=F("generation") + 1)
        self.model.objects.filter(key=self.key, holder=token).update(holder="", until=None)
        return self.generation()


def _lock_key(xero_organisation, module: str) -> str:
    return f"sync:lock:{xero_organisation.organisation_id}:{module}"


def lock_generations(xero_organisation, modules) -> dict[str, int]:
    """The current generation of each module's lock ({key: generation}, what `module_lock(seen=...)` compares):
    taken before a job reads its match index, so a write by another run after that makes it read again."""
    generations = {}
    for module in modules:
        key = _lock_key(xero_organisation, module)
        generations[key] = (_CacheLock(key) if _shared_cache() else _DatabaseLock(key)).generation()
    return generations


@contextmanager
def module_lock(xero_organisation, module: str, *, timeout: float | None = None, seen: dict | None = None):
    """One chunk at a time per portal organisation (tenant) and Zoho module, across all its Xero organisations,
    triggers and workers: match-and-create is serialised, so two organisations' runs (or cron and On Save) never
    create the same Zoho record twice, and a run plans from what the previous holder wrote. Redis (the shared
    cache) when configured, a database lease row otherwise. A dead worker's lock expires.

    Yields whether the caller must reload what it read before (links, the target's records): it had to wait, or
    (with `seen`, the caller's {key: generation} of its last hold) another holder wrote meanwhile."""
    key = _lock_key(xero_organisation, module)
    lock = _CacheLock(key) if _shared_cache() else _DatabaseLock(key)
    token = uuid.uuid4().hex
    expiry = lease_seconds()
    deadline = time.monotonic() + (timeout if timeout is not None else expiry)
    waited = False
    while not lock.acquire(token, expiry):
        waited = True
        if time.monotonic() > deadline:
            raise TransientError(f"module {module} is busy with another sync run", provider="sync")
        time.sleep(0.05)
    stale = waited
    if seen is not None:
        stale = stale or seen.get(key) != lock.generation()
    try:
        yield stale
    finally:
        generation = lock.release(token)
        if seen is not None:
            seen[key] = generation


def create_run(xero_organisation, module, direction, *, trigger, ids=None, since=None, resync_of=None,
               origin: str = "") -> SyncRun:
    """A new run; with `origin` (a task's id and its part of the task's work), the run that origin created
    already, if any, so a retried task resumes its own run."""
    fields = {
        "organisation_id": xero_organisation.organisation_id,
        "xero_organisation": xero_organisation,
        "module": module,
        "direction": direction,
        "trigger": trigger,
        "requested_ids": [str(i) for i in ids] if ids is not None else None,
        "since": since,
        "resync_of": resync_of,
    }
    if not origin:
        return SyncRun.objects.create(**fields)
    run, _created = SyncRun.objects.get_or_create(origin=origin[:160], defaults=fields)
    return run


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
    """Extend the lease after a chunk; the chunk was progress, so the failed attempts start again from zero."""
    return bool(
        SyncRun.objects.filter(pk=run.pk, lease_owner=owner, status=RunStatus.RUNNING).update(
            lease_until=timezone.now() + timedelta(seconds=lease_seconds()), attempts=0, problem="",
            problem_provider="", retry_at=None, error=""
        )
    )


def process_run(run_id, *, owner: str | None = None, context: SyncContext | None = None,
                known: dict | None = None) -> SyncRun | None:
    """Process a run to the end (or return None when another worker holds it). `context`: one the caller keeps
    across several runs of the same Xero organisation and trigger (a historical job's chunks), so reference data,
    links and the target's records read for matching are read once, not once per run. `known`: {id: record} of
    requested ids the caller has read already (a historical job's snapshots), so collect reads only the rest."""
    owner = owner or uuid.uuid4().hex
    if not claim(run_id, owner):
        return None
    with counters.deferred():  # API call counters: in memory, written once per chunk
        return _process_run(run_id, owner, context, known)


def _process_run(run_id, owner: str, context: SyncContext | None, known: dict | None) -> SyncRun | None:
    run = SyncRun.objects.select_related("xero_organisation__organisation", "resync_of").get(pk=run_id)
    if context is None:
        context = SyncContext(run.xero_organisation, trigger=run.trigger, resync_of=run.resync_of)
    if not run.collected:
        collect(run, context, known=known)
    while True:
        items = list(run.items.filter(state=ItemState.PENDING).order_by("id")[: CHUNK[run.direction]])
        if not items:
            break
        process_chunk(run, context, items)
        counters.flush()
        if not _renew(run, owner):
            logger.warning("Sync run %s was taken over by another worker", run.pk)
            return None
    SyncRun.objects.filter(pk=run.pk, lease_owner=owner, status=RunStatus.RUNNING).update(
        status=RunStatus.DONE, finished_at=timezone.now(), lease_until=None, retry_at=None, problem="",
        problem_provider="", error=""
    )
    run.refresh_from_db()
    return run


def collect(run: SyncRun, context: SyncContext, known: dict | None = None) -> None:
    """Read the source records (snapshots) and deletions into items, once; requested ids in `known` are taken
    from there instead of being read."""
    source_side, _target_side = sides(run.direction)
    gateway = context.gateway(source_side)
    module_spec = spec(run.module)
    ids = run.requested_ids
    unreadable: dict[str, tuple[str, str]] = {}
    if ids is None:
        records = gateway.read(run.module, ids=ids, since=run.since)
    else:
        ids = [str(i) for i in dict.fromkeys(str(i) for i in ids)]
        malformed = [i for i in ids if not retries.well_formed(source_side, i)]
        unreadable.update({i: (RunProblem.REFUSED, retries.MALFORMED) for i in malformed})
        known = {str(i): record for i, record in (known or {}).items() if record}
        wanted = [i for i in ids if i not in unreadable and i not in known]
        records, failures = retries.read_isolating(lambda chunk: gateway.read(run.module, ids=chunk), wanted,
                                                   probe=getattr(gateway, "probe", None), isolate=run.attempts > 0)
        records = [*(known[i] for i in ids if i in known and i not in unreadable), *records]
        unreadable.update({i: retries.problem_of(error) for i, error in failures.items()})
        ids = [i for i in ids if i not in unreadable]
        returned = {module_spec.record_id(source_side, record) for record in records}
        missing = [i for i in ids if i not in returned]
        if missing:  # gone at the source: a deletion to sync when linked, else a record that cannot be read
            linked = set(RecordLink.objects.filter(
                xero_organisation=run.xero_organisation, module=run.module, **{f"{source_side}_id__in": missing}
            ).values_list(f"{source_side}_id", flat=True))
            unreadable.update({i: (RunProblem.REFUSED, retries.NOT_FOUND) for i in missing if i not in linked})
            ids = [i for i in ids if i not in unreadable]
    if source_side == XERO and module_spec.shares_xero_records_with:  # Xero contacts of Zoho contacts: not accounts
        claimed = context.links(module_spec.shares_xero_records_with)
        records = [r for r in records if claimed.get(XERO, module_spec.record_id(XERO, r)) is None]
    seen = {module_spec.record_id(source_side, record) for record in records}
    deleted: set[str] = set()
    deleted_times: dict[str, str] = {}  # when the source says when (Zoho's deleted_time): deletes never retroactive
    if ids is not None:
        deleted = {str(i) for i in ids} - seen
    elif run.include_deletes and run.direction in module_spec.deletes:
        if source_side == ZOHO:
            deleted_times = gateway.deleted(run.module, since=run.since)
            deleted = set(deleted_times)
        elif module_spec.xero_deletes_by_absence and run.since is None:
            linked = RecordLink.objects.filter(
                xero_organisation=run.xero_organisation, module=run.module, state="linked"
            ).values_list("xero_id", flat=True)
            deleted = set(linked) - seen
    items = [SyncItem(run=run, source_id=module_spec.record_id(source_side, r), snapshot=r) for r in records]
    items += [SyncItem(run=run, source_id=i, deleted=True,
                       snapshot={"deleted_time": deleted_times[i]} if deleted_times.get(i) else None)
              for i in sorted(deleted - seen)]
    now = timezone.now()
    items += [SyncItem(run=run, source_id=i[:64], state=ItemState.FAILED, processed_at=now) for i in unreadable]
    with transaction.atomic():
        SyncItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=500)
        SyncRun.objects.filter(pk=run.pk).update(collected=True, total=run.items.count(),
                                                 failed=F("failed") + len(unreadable))
        for source_id, (problem, detail) in unreadable.items():
            retries.record_failure(run, source_id, problem, detail=detail, unreadable=True)
    run.collected = True


def _dependencies(run: SyncRun, context: SyncContext, sources: list[dict]) -> None:
    """Sync (or match) the records a chunk needs before the chunk itself: an invoice's account and products, a
    contact person's account (`ModuleSpec.depends_on`)."""
    module_spec = spec(run.module)
    if not module_spec.depends_on or not sources:
        return
    if module_spec.nested_in:
        from . import contacts_sync

        return contacts_sync.dependencies(context, run.module, run.direction, sources, sync_inline)
    if run.direction == ZOHO_TO_XERO:
        from . import routing

        route = routing.router(context, run.module, sources)
        links = context.links(run.module)
        # only the dependencies of invoices this organisation takes (routing) or already holds
        sources = [s for s in sources if route is None or links.get(ZOHO, str(s.get("id"))) is not None or route(s)]
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
        products -= routing.stand_ins(context.xero_organisation)  # their lines go to Xero without an item
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
    with module_lock(context.xero_organisation, module, seen=context.lock_generations) as stale:
        if stale:
            context.refresh()
        operations = _batch(context, module, direction, records, deleted, routed=False)
        checkpoint(context)
    return operations


def _batch(context, module, direction, sources, deleted, *, routed: bool = True):
    """`routed`: Zoho -> Xero creates follow the organisation's routing rule (`sync.routing`); an invoice's
    dependencies (sync_inline) are created where the invoice goes."""
    module_spec = spec(module)
    if module_spec.nested_in:  # written inside the parent's records (contact persons)
        from . import contacts_sync

        return contacts_sync.run_batch(context, module, direction, sources, deleted)
    source_side, target_side = sides(direction)
    policy = context.policy(module, direction)
    # called by the engine under this module's lock: a snapshot that may be older than what another run synced
    # meanwhile is read again (Policy.reread)
    policy.reread = lambda ids: context.gateway(source_side).read(module, ids=list(ids))
    if routed and module_spec.routed and direction == ZOHO_TO_XERO:
        from . import routing

        policy.route = routing.router(context, module, sources)
        policy.route_quiet = context.trigger not in ("copy", "resync")
    return run_batch(
        module,
        direction,
        sources=sources,
        deleted_ids=deleted,
        target=context.gateway(target_side),
        links=context.links(module),
        store=context.store(module),
        audit=context.audit(),
        policy=policy,
        transforms=context.transforms(module),
    )


def process_chunk(run: SyncRun, context: SyncContext, items: list[SyncItem]) -> None:
    sources = [item.snapshot for item in items if not item.deleted and item.snapshot]
    deleted = {item.source_id: (item.snapshot or {}).get("deleted_time") for item in items if item.deleted}
    SyncItem.objects.filter(pk__in=[item.pk for item in items]).update(attempts=F("attempts") + 1)
    _dependencies(run, context, sources)
    with module_lock(run.xero_organisation, run.module, seen=context.lock_generations) as stale:
        if stale:
            context.refresh()
        _process_locked(run, context, items, sources, deleted)


def _process_locked(run, context, items, sources, deleted) -> None:
    operations = _batch(context, run.module, run.direction, sources, deleted)
    by_source = {}  # an item's operation; of several (the persons of one Xero contact), a failed one
    for op in operations:
        if op.item_id not in by_source or op.status == FAILED:
            by_source[op.item_id] = op
    now = timezone.now()

    def mark_items():
        failed = 0
        for item in items:
            operation = by_source.get(item.source_id)
            item.state = ItemState.DONE
            if operation is not None and operation.status == FAILED:
                item.state, failed = ItemState.FAILED, failed + 1
            item.action = operation.action if operation else ""
            item.target_id = (operation.target_id or "")[:64] if operation else ""
            item.processed_at = now
        # one statement for the chunk (CONVENTIONS: no per-record SQL in loops)
        bulk.update_rows(SyncItem, [(item.pk, item.state, item.action, item.target_id) for item in items],
                         ["state", "action", "target_id"], same={"processed_at": now})
        SyncRun.objects.filter(pk=run.pk).update(done=F("done") + len(items) - failed, failed=F("failed") + failed)

    checkpoint(context, mark_items)


def retry_or_fail(run_id, owner: str, error) -> float | None:
    """After an attempt failed with `error`: the seconds until the owner's retry (the run keeps its lease until
    then, so Beat leaves it alone), or None when there is no retry: the run failed for good (a refusal, a revoked
    grant, or the last of `max_attempts()` attempts), or another worker holds it now."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.PENDING, RunStatus.RUNNING):
        return None
    attempts = run.attempts + 1
    problem, detail = retries.problem_of(error)
    provider = retries.provider_of(error)
    if problem in (RunProblem.REFUSED, RunProblem.REVOKED) or attempts >= retries.max_attempts():
        fail_run(run, problem, provider=provider, detail=detail, attempts=attempts)
        return None
    delay = retries.delay(attempts, getattr(error, "retry_after", None))
    now = timezone.now()
    held = SyncRun.objects.filter(pk=run_id, status__in=(RunStatus.PENDING, RunStatus.RUNNING)).filter(
        Q(lease_owner=owner) | Q(lease_owner="") | Q(lease_until__lt=now))
    updated = held.update(status=RunStatus.RUNNING, lease_owner=owner, attempts=attempts, problem=problem,
                          problem_provider=provider, error=detail[:1000], retry_at=now + timedelta(seconds=delay),
                          lease_until=now + timedelta(seconds=delay + lease_seconds()))
    return delay if updated else None


def fail_run(run: SyncRun, problem: str, *, provider: str = "", detail: str = "", attempts: int | None = None,
             status: str = RunStatus.FAILED) -> bool:
    """End an unfinished run (failed, or cancelled): one audit entry for each record it did not sync, so
    nothing is dropped silently; nothing re-queues it. False when it had finished already."""
    now = timezone.now()
    with transaction.atomic():
        fields = {"status": status, "finished_at": now, "lease_until": None, "retry_at": None, "problem": problem,
                  "problem_provider": provider, "error": detail[:1000]}
        if attempts is not None:
            fields["attempts"] = attempts
        if not SyncRun.objects.filter(pk=run.pk, status__in=(RunStatus.PENDING, RunStatus.RUNNING)).update(**fields):
            return False
        run.refresh_from_db()
        if run.collected:
            left = list(run.items.filter(state=ItemState.PENDING).values_list("source_id", flat=True))
            run.items.filter(state=ItemState.PENDING).update(state=ItemState.FAILED, processed_at=now)
        else:
            left = list(dict.fromkeys(str(i) for i in run.requested_ids or []))
            SyncItem.objects.bulk_create([SyncItem(run=run, source_id=i[:64], state=ItemState.FAILED, processed_at=now)
                                          for i in left], ignore_conflicts=True)
        SyncRun.objects.filter(pk=run.pk).update(failed=F("failed") + len(left))
        for source_id in left or ([""] if run.requested_ids is None else []):
            retries.record_failure(run, source_id, problem, attempts=run.attempts)
    logger.warning("Sync run %s ended %s (%s): %s", run.pk, status, problem, detail)
    return True


def cancel_run(run: SyncRun) -> bool:
    """A member's Cancel: the run stops after its current chunk (the worker's lease renewal fails)."""
    return fail_run(run, RunProblem.CANCELLED, status=RunStatus.CANCELLED)


def resume_stale_runs() -> list:
    """Runs whose worker died (lease expired) and pending runs nobody picked up (read only; see requeue)."""
    now = timezone.now()
    lease = timedelta(seconds=lease_seconds())
    return list(SyncRun.objects.filter(status=RunStatus.RUNNING, lease_until__lt=now).values_list("pk", flat=True)) + list(
        SyncRun.objects.filter(status=RunStatus.PENDING, created_at__lt=now - lease)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).values_list("pk", flat=True))


def requeue_stale_runs() -> list[tuple]:
    """Beat: (run id, owner) of each run to enqueue again, as a task whose id is `owner`.

    A dead worker's run counts a failed attempt and is handed to the new owner with a fresh lease; at
    `max_attempts()` it ends failed instead, so a run that kills its worker every time is not re-queued forever.
    A pending run is re-queued at most once per lease period (its message may only be waiting in a long queue;
    a duplicate delivery is harmless: the claim lets one of them through)."""
    now = timezone.now()
    lease = timedelta(seconds=lease_seconds())
    due = []
    # A historical job resumes its own chunk runs (resume_historical_task).
    jobs = HistoricalJob.objects.filter(current_run__isnull=False).exclude(status__in=("done", "cancelled", "failed"))
    stale = SyncRun.objects.filter(status=RunStatus.RUNNING, lease_until__lt=now).exclude(
        pk__in=jobs.values("current_run_id"))
    for run in stale:
        if run.attempts + 1 >= retries.max_attempts():
            fail_run(run, RunProblem.STALLED, provider="sync", detail="the worker stopped responding",
                     attempts=run.attempts + 1)
            continue
        owner = uuid.uuid4().hex
        if SyncRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, lease_until__lt=now).update(
                attempts=F("attempts") + 1, lease_owner=owner, lease_until=now + lease,
                problem=run.problem or RunProblem.STALLED, problem_provider=run.problem_provider or "sync"):
            due.append((run.pk, owner))
    pending = SyncRun.objects.filter(status=RunStatus.PENDING, created_at__lt=now - lease).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    for pk in list(pending.values_list("pk", flat=True)):
        owner = uuid.uuid4().hex
        if SyncRun.objects.filter(pk=pk, status=RunStatus.PENDING).update(lease_until=now + lease):
            due.append((pk, owner))
    return due


__all__ = ["SUCCESS", "SKIPPED", "cancel_run", "create_run", "fail_run", "process_run", "requeue_stale_runs", "resume_stale_runs",
           "retry_or_fail", "sync_inline"]
