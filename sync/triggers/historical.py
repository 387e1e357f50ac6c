"""Historical Sync jobs: a dry run, then a resumable job with progress, pause, resume and cancel.

1. `create_job(...)` stores the choices (Invoices brings Accounts and Products) and queues the dry run.
2. `plan(job)` (the dry run) streams the source page by page: records outside the dates are left out, records
   already linked are counted as "already synced" unless Re-sync all is on, the rest are planned by the engine's
   planner against the target's current state (nothing is written) and stored as items: one row per record, so
   10,000 records cost 10,000 small rows, never 10,000 records in memory.
   Each item keeps the record as the dry run read it (Zoho invoices with their line items, read in bulk:
   sync.zoho_lines; Xero's paged lists, which are what a read by IDs returns), and the job writes from that
   snapshot: each source record is read once per job. The newest modification time read is kept per module;
   when the job starts or resumes, one If-Modified-Since list (from Zoho also one list of deletions; Xero Items
   whole) per module reads only what changed since, and replaces those snapshots.
3. `work(job)` processes pending items in chunks, each chunk one checkpointed engine run (sync.runs) on its ids
   (from the items' snapshots; an item without one is read by id), then marks the chunk's items done or failed. A slice ends after SLICE_SECONDS so the task can re-queue itself
   and other organisations' jobs get the worker in between; a crash leaves a lease that expires and Beat resumes.
"""

import logging
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from audit import services as audit_services
from audit.models import Action, AuditEntry, Trigger
from audit.models import Module as AuditModule
from audit.models import Status as AuditStatus
from connections import conf as connection_conf
from connections import counters

from .. import labels, runs
from ..context import SyncContext
from ..engine import messages as engine_messages
from ..engine.fingerprint import parse_time
from ..engine.modules import MODULE_ORDER, MODULES, XERO, ZOHO, ZOHO_TO_XERO, sides, spec
from ..engine.operations import CREATE, FAILED, MATCH, SKIPPED, UPDATE, Link
from ..engine.persons import ACCOUNT_MISSING
from ..engine.planner import is_deleted_record, project
from ..engine.planner import plan as engine_plan
from ..models import ItemState, RunStatus, SyncItem, SyncRun
from ..trigger_models import HistoricalItem, HistoricalItemState, HistoricalJob, JobStatus
from . import reasons

logger = logging.getLogger(__name__)

PAGE = 500  # records planned together in the dry run (one target lookup for the page)
CHUNK = {ZOHO_TO_XERO: 50, "xero_to_zoho": 100}
SLICE_SECONDS = 20.0
LEASE_SECONDS = 180
# A job whose next slice waits in the bulk queue carries this lease, so Beat does not queue it a second time;
# a worker taking the message may claim it. If the message is lost, the lease expires and Beat queues it again.
QUEUED = "queued"
QUEUED_SECONDS = 15 * 60


def queued_lease() -> dict:
    return {"lease_owner": QUEUED, "lease_until": timezone.now() + timedelta(seconds=QUEUED_SECONDS)}


def mark_queued(job_id) -> bool:
    """Mark a job whose lease is free (or expired) as waiting in the queue; False when a worker holds it."""
    now = timezone.now()
    return bool(HistoricalJob.objects.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=job_id)
                .update(**queued_lease()))
OUTCOMES = ("create", "update", "skip", "refuse")
# Failures the job avoids by syncing the record's dependency first (when the job includes its module)
DEPENDENCY_FIRST = (engine_messages.DEPENDENCY_MISSING, ACCOUNT_MISSING)
VARIES = "__varies__"  # in a dry-run example: the parameters whose values differ between the records counted


def with_dependencies(modules) -> list[str]:
    """The chosen modules and what they need (`ModuleSpec.depends_on`), in dependency order."""
    chosen, todo = set(), list(modules)
    while todo:
        module = todo.pop()
        if module in MODULES and module not in chosen:
            chosen.add(module)
            todo.extend(spec(module).depends_on)
    return [module for module in MODULE_ORDER if module in chosen]


def create_job(xero_organisation, *, modules, direction, date_from=None, date_to=None, resync_all=False,
               user=None) -> HistoricalJob:
    from .tasks import historical_plan_task

    job = HistoricalJob.objects.create(
        organisation_id=xero_organisation.organisation_id, xero_organisation=xero_organisation, created_by=user,
        modules=with_dependencies(modules), direction=direction, date_from=date_from, date_to=date_to,
        resync_all=resync_all, dry_run={module: _empty() for module in with_dependencies(modules)},
        **queued_lease(),
    )
    transaction.on_commit(lambda: historical_plan_task.apply_async(args=[str(job.pk)], queue="bulk"))
    return job


def _empty() -> dict:
    return {**{outcome: 0 for outcome in OUTCOMES}, "reasons": {}}


# --- dry run ---------------------------------------------------------------------------------------------


def _record_date(module: str, side: str, record: dict) -> date | None:
    moment = parse_time(spec(module).date_of(side, record))
    return moment.date() if moment else None


def in_range(job: HistoricalJob, module: str, side: str, record: dict) -> bool:
    if job.date_from is None and job.date_to is None:
        return True
    day = _record_date(module, side, record)
    if day is None:
        return False
    return (job.date_from is None or day >= job.date_from) and (job.date_to is None or day <= job.date_to)


LINE_FALLBACK = gettext_noop(
    "Zoho CRM refused the bulk read of invoice line items (%(reason)s): this job reads each invoice by id "
    "instead (fallback), one API call per invoice.")


def job_context(job: HistoricalJob, state: dict | None = None) -> SyncContext:
    """The context of a dry run or a slice: a job whose Zoho refused the bulk line-item read goes on without; it
    matches through the job's match indexes (`state`: HistoricalJob.match_state, sync.match_index)."""
    context = SyncContext(job.xero_organisation, trigger="historical")
    context.use_job_state(state if state is not None else job.match_state)
    _bulk_lines(job, context)
    return context


def _bulk_lines(job: HistoricalJob, context: SyncContext) -> None:
    if job.line_fallback:
        try:
            context.zoho.lines.enabled = False
        except LookupError:  # Zoho is not connected: the job fails on its first read, as before
            pass


def note_line_fallback(job: HistoricalJob, context: SyncContext) -> None:
    """Once per job: when Zoho refused the bulk line-item read, say so on the job and in the audit log."""
    gateway = getattr(context, "_zoho", None)
    reason = gateway.lines.fallback_reason if gateway is not None else ""
    if not reason:
        return
    with transaction.atomic():
        if not HistoricalJob.objects.filter(pk=job.pk, line_fallback="").update(line_fallback=reason):
            return
        audit_services.record(
            organisation=job.xero_organisation.organisation, module="invoices", action=Action.SKIP,
            status=AuditStatus.SKIPPED, trigger=Trigger.SYSTEM, direction=job.direction,
            xero_tenant_id=job.xero_organisation.tenant_id, xero_tenant_name=job.xero_organisation.tenant_name,
            message_key=LINE_FALLBACK, message_params={"reason": reason}, provider_error=reason)
    job.line_fallback = reason
    logger.warning("Historical job %s reads Zoho invoices by id: %s", job.pk, reason)


def _list_fields(context: SyncContext, module: str) -> tuple[list[str], bool]:
    """The fields of the dry run's Zoho list, and whether they hold everything a read by id would (so the
    listed record can be the job's snapshot)."""
    module_spec = spec(module)
    read = context.zoho.header_fields(module) if module_spec.line_subform else context.zoho_fields(module)[:50]
    keep = [*module_spec.zoho_date_fields, "Modified_Time"] + (["Sub_Total", "Tax"] if module_spec.line_subform else [])
    keep = list(dict.fromkeys(keep))
    fields = [f for f in read if f not in keep][: 50 - len(keep)] + keep
    return fields, set(read) <= set(fields)


def _source_records(context: SyncContext, job: HistoricalJob, module: str):
    """The source side's records of a module, streamed (one provider page at a time)."""
    source_side, _ = sides(job.direction)
    module_spec = spec(module)
    if source_side == ZOHO:
        fields, _complete = _list_fields(context, module)
        yield from context.zoho.client.iter_records(module_spec.zoho_module, fields)
    elif module_spec.xero_collection == "Contacts":  # contacts: the Xero contacts holding the persons
        yield from context.xero.client.iter_contacts()
    elif module_spec.xero_collection == "Items":
        yield from context.xero.client.get_items()
    else:
        yield from context.xero.client.iter_invoices()


def _pages(records, size: int = PAGE):
    page = []
    for record in records:
        page.append(record)
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page


def _dry_batch(context: SyncContext, module: str, direction: str, sources: list[dict]):
    """What run_batch would decide, without writing: the target's state is read, nothing is executed."""
    module_spec = spec(module)
    if module_spec.nested_in:  # contact persons: planned inside their parents' records
        from ..contacts_sync import plan_batch

        return plan_batch(context, module, direction, sources)
    source_side, target_side = sides(direction)
    links = context.links(module)
    target = context.gateway(target_side)
    linked = [link.id_on(target_side) for r in sources
              if (link := links.get(source_side, module_spec.record_id(source_side, r))) is not None]
    targets = target.fetch(module, sorted(set(linked))) if linked else {}
    transforms = context.transforms(module)
    forward = transforms.towards(target_side)
    lookups = []
    for record in sources:
        if links.get(source_side, module_spec.record_id(source_side, record)) is not None:
            continue
        try:
            lookups.append({**project(module_spec, target_side, forward, record, links), "__source": record})
        except Exception:  # noqa: BLE001 - the planner reports the mapping error itself
            continue
    candidates = target.candidates(module, lookups) if lookups else []
    policy = context.policy(module, direction)
    if module_spec.routed and direction == ZOHO_TO_XERO:  # the job creates only what the routing rule takes
        from .. import routing

        policy.route = routing.router(context, module, sources)
    return engine_plan(module_spec, direction, sources, links=links, targets=targets, candidates=candidates,
                       policy=policy, transforms=transforms)


def _outcome(job: HistoricalJob, operation) -> tuple[str, str]:
    """(create/update/skip/refuse, reason message key) of a planned operation."""
    if operation.status == FAILED:
        dependency = operation.params.get("dependency")
        if operation.message_key in DEPENDENCY_FIRST and str(dependency).lower() in (
                *job.modules, "account", "product"):
            return "create", reasons.AFTER_DEPENDENCIES
        return "refuse", operation.message_key or reasons.REFUSED
    if operation.action == CREATE:
        return "create", operation.message_key or engine_messages.CREATED
    if operation.action == UPDATE:
        return "update", operation.message_key or engine_messages.UPDATED
    if operation.action == MATCH:
        return "skip", operation.message_key or engine_messages.MATCHED
    return "skip", operation.message_key or reasons.UNCHANGED


def plan(job_id, *, context: SyncContext | None = None, owner: str | None = None) -> HistoricalJob | None:
    """The dry run: list, filter and plan every source record into items (resumable per module). One worker at a
    time: the dry run holds the job's lease and renews it after every page."""
    owner = owner or uuid.uuid4().hex
    if not _claim(job_id, owner, status=JobStatus.PLANNING):
        return HistoricalJob.objects.filter(pk=job_id).first()
    try:
        with counters.deferred():
            _plan(job_id, context, owner)
    finally:
        _release(job_id, owner)
    return HistoricalJob.objects.filter(pk=job_id).first()


def _plan(job_id, context, owner) -> HistoricalJob | None:
    job = HistoricalJob.objects.select_related("xero_organisation__organisation").get(pk=job_id)
    # One match index per module for the whole job (sync.match_index), kept with the job: the generations of
    # the module locks are taken before anything is read, so a write by another run meanwhile is noticed.
    state = job.match_state or {"generations": runs.lock_generations(job.xero_organisation, job.modules)}
    if context is None:
        context = job_context(job, state)
    else:
        context.use_job_state(state)
        _bulk_lines(job, context)
    try:
        return _plan_modules(job, context, owner)
    finally:
        note_line_fallback(job, context)


def _newest(mark: str, module: str, side: str, records) -> str:
    """The newest modification time among `records` and `mark` (as the provider wrote it)."""
    newest, newest_time = mark, parse_time(mark) if mark else None
    for record in records:
        value = spec(module).modified(side, record)
        moment = parse_time(value) if value else None
        if moment is not None and (newest_time is None or moment > newest_time):
            newest, newest_time = value, moment
    return newest


def _plan_modules(job: HistoricalJob, context: SyncContext, owner: str) -> HistoricalJob | None:
    source_side, _ = sides(job.direction)
    for module in job.modules:
        if module in job.planned_modules:
            continue
        HistoricalItem.objects.filter(job=job, module=module).delete()  # a crashed dry run starts the module again
        counts = _empty()
        links = context.links(module)
        shared = spec(module).shares_xero_records_with  # Xero contacts of Zoho contacts are not accounts (as runs)
        claimed = context.links(shared) if shared and source_side != ZOHO else None
        # The listed records are the job's snapshots: from Zoho when the list reads every field a read by id would;
        # from Xero always (a read by IDs is the same paged list, filtered by IDs: Invoices with their lines)
        snapshots = source_side == XERO or _list_fields(context, module)[1]
        mark = ""
        for page in _pages(_source_records(context, job, module)):
            if not HistoricalJob.objects.filter(pk=job.pk, status=JobStatus.PLANNING, lease_owner=owner).update(
                    lease_until=timezone.now() + timedelta(seconds=LEASE_SECONDS), **NO_PROBLEM):
                return HistoricalJob.objects.get(pk=job.pk)  # cancelled, or taken over after a stall
            mark = _newest(mark, module, source_side, page)
            if source_side == ZOHO:
                context.zoho.seen(module, page)  # (the names of invoice lines' products)
            wanted = []
            for record in page:
                record_id = spec(module).record_id(source_side, record)
                if not record_id or not in_range(job, module, source_side, record):
                    continue
                if claimed is not None and claimed.get(source_side, record_id) is not None:
                    continue
                if is_deleted_record(spec(module), source_side, record):
                    _count(counts, "skip", reasons.DELETED_AT_SOURCE)
                    continue
                link = links.get(source_side, record_id)
                if link is not None and link.state == "linked" and not job.resync_all:
                    _count(counts, "skip", reasons.ALREADY_SYNCED)
                    continue
                wanted.append(record)
            if not wanted:
                continue
            if source_side == ZOHO and spec(module).line_subform:  # the line items, in bulk (GET by id as fallback)
                wanted = context.zoho.with_lines(module, wanted)
            by_id = {spec(module).record_id(source_side, r): r for r in wanted} if snapshots else {}
            items = []
            for operation in _dry_batch(context, module, job.direction, wanted):
                if operation.status == FAILED:  # the field by its label, as the job's audit entry will show it
                    labels.label_params(operation, lambda m=module: context.zoho_field_checks(m))
                outcome, reason = _outcome(job, operation)
                _count(counts, outcome, reason, operation.params)
                if outcome == "refuse" and operation.status == FAILED:  # what needs it waits for it, as in the job
                    context.planned_failures[(module, operation.source_id)] = (operation.message_key,
                                                                               dict(operation.params))
                if operation.status != SKIPPED:  # nothing to do for what the planner skips (unchanged, switched off)
                    items.append(HistoricalItem(job=job, module=module, source_id=operation.item_id,
                                                planned=outcome, snapshot=by_id.get(operation.item_id)))
                if outcome in ("create", "update") or operation.action == MATCH:
                    _pretend_link(links, job.direction, operation)
            HistoricalItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=500)
            counters.flush()
        with transaction.atomic():
            locked = HistoricalJob.objects.select_for_update().get(pk=job.pk)
            locked.dry_run = {**locked.dry_run, module: counts}
            locked.planned_modules = [*locked.planned_modules, module]
            locked.total = HistoricalItem.objects.filter(job=job).count()
            locked.match_state = context.job_state()
            if mark:
                locked.snapshot_marks = {**locked.snapshot_marks, module: mark}
            locked.save(update_fields=["dry_run", "planned_modules", "total", "snapshot_marks", "match_state"])
        job.planned_modules = locked.planned_modules
    HistoricalJob.objects.filter(pk=job.pk, status=JobStatus.PLANNING).update(status=JobStatus.PLANNED)
    return HistoricalJob.objects.get(pk=job.pk)


def _pretend_link(links, direction: str, operation) -> None:
    """In the dry run only (never saved): treat a record this job will create as linked, so the invoices that
    need it are planned as the job will really meet them (their accounts and products synced first)."""
    if operation.link is not None:
        return
    placeholder = operation.target_id or f"dry-run:{operation.source_id}"
    source = operation.source or {}
    if direction == ZOHO_TO_XERO:
        code = str((operation.payload or {}).get("Code") or f"dry-run:{operation.source_id}")
        links.add(Link(zoho_id=operation.source_id, xero_id=placeholder, xero_code=code))
    else:
        links.add(Link(zoho_id=placeholder, xero_id=operation.source_id, xero_code=str(source.get("Code") or "")))


def _count(counts: dict, outcome: str, reason: str, params: dict | None = None) -> None:
    """Count an outcome by reason; the first record's message parameters are kept as the example shown, with the
    names of the parameters whose values differ between the records counted (VARIES), so a group of different
    records is never described by one record's values."""
    counts[outcome] += 1
    key = f"{outcome}|{reason}"
    counts["reasons"][key] = counts["reasons"].get(key, 0) + 1
    examples = counts.setdefault("examples", {})
    values = {k: v for k, v in (params or {}).items() if isinstance(v, str | int | float)}
    if key not in examples:
        if values:
            examples[key] = values
        return
    example = examples[key]
    varies = set(example.get(VARIES, []))
    varies |= {k for k in set(values) | set(example) - {VARIES} if example.get(k) != values.get(k)}
    if varies:
        example[VARIES] = sorted(varies)


# --- controls ----------------------------------------------------------------------------------------------


def start(job: HistoricalJob) -> bool:
    return _move(job, [JobStatus.PLANNED], JobStatus.RUNNING, started_at=timezone.now(), snapshots_checked=False)


def pause(job: HistoricalJob) -> bool:
    """Pause a running job; refused when nothing is left to do (the job is about to finish)."""
    if not HistoricalItem.objects.filter(job=job, state=HistoricalItemState.PENDING).exists():
        job.refresh_from_db()
        return False
    return _move(job, [JobStatus.RUNNING], JobStatus.PAUSED)


def resume(job: HistoricalJob) -> bool:
    return _move(job, [JobStatus.PAUSED], JobStatus.RUNNING, snapshots_checked=False)


def cancel(job: HistoricalJob) -> bool:
    return _move(job, [JobStatus.PLANNING, JobStatus.PLANNED, JobStatus.RUNNING, JobStatus.PAUSED],
                 JobStatus.CANCELLED, finished_at=timezone.now())


def _move(job, sources, target, **changes) -> bool:
    moved = bool(HistoricalJob.objects.filter(pk=job.pk, status__in=sources).update(status=target, **changes))
    if moved and target == JobStatus.RUNNING and mark_queued(job.pk):
        # (when a worker still holds the lease, it is finishing a chunk and goes on by itself)
        from .tasks import historical_run_task

        transaction.on_commit(lambda: historical_run_task.apply_async(args=[str(job.pk)], queue="bulk"))
    job.refresh_from_db()
    return moved


# --- the job -------------------------------------------------------------------------------------------------


def _claim(job_id, owner: str, status: str = JobStatus.RUNNING) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner) | Q(lease_owner=QUEUED)
    return bool(HistoricalJob.objects.filter(free, pk=job_id, status=status).update(
        lease_owner=owner, lease_until=now + timedelta(seconds=LEASE_SECONDS)))


def _release(job_id, owner: str) -> None:
    HistoricalJob.objects.filter(pk=job_id, lease_owner=owner).update(lease_owner="", lease_until=None)


def _record_run(job: HistoricalJob, run: SyncRun) -> None:
    """Copy a finished chunk run's outcomes onto the job's items and counters (one transaction)."""
    states = dict(SyncItem.objects.filter(run=run).values_list("source_id", "state"))
    failed = {i for i, state in states.items() if state == ItemState.FAILED}
    with transaction.atomic():
        pending = HistoricalItem.objects.filter(job=job, module=run.module, state=HistoricalItemState.PENDING,
                                                source_id__in=list(states))
        failed_count = pending.filter(source_id__in=list(failed)).update(state=HistoricalItemState.FAILED)
        done_count = pending.update(state=HistoricalItemState.DONE)
        HistoricalJob.objects.filter(pk=job.pk).update(done=F("done") + done_count, failed=F("failed") + failed_count,
                                                        current_run=None, **NO_PROBLEM)


NO_PROBLEM = {"problem": "", "problem_provider": "", "attempts": 0, "retry_at": None}  # progress clears it


def note_problem(job_id, error, countdown: float) -> None:
    """A slice failed and the task retries in `countdown` seconds: the job page says which provider fails and
    when the next attempt is (instead of a time left); the next chunk that finishes clears it."""
    from .. import retries

    problem, _detail = retries.problem_of(error)
    HistoricalJob.objects.filter(pk=job_id).update(
        problem=problem, problem_provider=retries.provider_of(error), attempts=F("attempts") + 1,
        retry_at=timezone.now() + timedelta(seconds=countdown))


def work(job_id, *, owner: str | None = None, slice_seconds: float = SLICE_SECONDS) -> str:
    """Process pending items for up to `slice_seconds`. Returns "more", "done", "stopped" or "busy"."""
    owner = owner or uuid.uuid4().hex
    if not _claim(job_id, owner):
        if HistoricalJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).exists():
            return "busy"
        # paused or cancelled while this message waited: free the queued lease so Resume can queue again
        HistoricalJob.objects.filter(pk=job_id, lease_owner=QUEUED).update(lease_owner="", lease_until=None)
        return "stopped"
    outcome = "busy"
    try:
        with counters.deferred():  # the chunk runs flush the API call counters once per chunk
            outcome = _work(job_id, owner, slice_seconds)
        return outcome
    finally:
        if outcome == "more":  # the caller queues the next slice
            HistoricalJob.objects.filter(pk=job_id, lease_owner=owner).update(**queued_lease())
        else:
            _release(job_id, owner)


def _work(job_id, owner: str, slice_seconds: float) -> str:
    started = time.monotonic()
    job = HistoricalJob.objects.select_related("xero_organisation__organisation", "current_run").get(pk=job_id)
    # One context for the slice: its chunk runs share reference data, links and what matching read of the target
    # (kept up to date with the job's own writes), instead of reading them again for every chunk.
    context = job_context(job, job.match_state)  # the match index: read once per job, not once per slice
    try:
        return _work_chunks(job, context, owner, started, slice_seconds)
    finally:
        note_line_fallback(job, context)
        # what the slice read and wrote, for the next slice (also after a failed chunk: it is still true)
        HistoricalJob.objects.filter(pk=job.pk).update(match_state=context.job_state())


def refresh_snapshots(job: HistoricalJob, context: SyncContext) -> None:
    """On start and resume: read again only the source records changed (or deleted) since the dry run read them,
    one If-Modified-Since list (and from Zoho one deleted list) per module, and replace their pending items'
    snapshots (a deleted record's item loses its snapshot and is read by id, which reports the deletion). Xero lists
    archived contacts and voided or deleted invoices among the changes; its items are deleted for good, so Items
    (one call, no paging) are read whole and an item no longer listed is treated as deleted."""
    source_side, _ = sides(job.direction)
    marks = dict(job.snapshot_marks)
    for module, mark in job.snapshot_marks.items():
        pending = HistoricalItem.objects.filter(job=job, module=module, state=HistoricalItemState.PENDING,
                                                snapshot__isnull=False)
        since = parse_time(mark)
        if since is None or not pending.exists():
            continue
        stamp = "Modified_Time" if source_side == ZOHO else "UpdatedDateUTC"
        read_at = {source_id: str(value) for source_id, value
                   in pending.values_list("source_id", f"snapshot__{stamp}")}

        def changed_since_read(row, read_at=read_at, module=module):  # a pending record whose snapshot is older
            record_id = spec(module).record_id(source_side, row)
            return record_id in read_at and spec(module).modified(source_side, row) != read_at[record_id]

        if source_side == ZOHO:
            changed = {spec(module).record_id(source_side, r): r
                       for r in context.zoho.read(module, since=since, keep=changed_since_read)}
            gone = set(context.zoho.deleted(module, since=since)) & set(read_at)
        else:
            whole = spec(module).xero_collection == "Items"
            rows = context.xero.read(module, since=None if whole else since)
            changed = {spec(module).record_id(source_side, r): r for r in rows if changed_since_read(r)}
            gone = set(read_at) - {spec(module).record_id(source_side, r) for r in rows} if whole else set()
        touched = list(pending.filter(source_id__in=[*changed, *gone]).only("pk", "source_id"))
        for item in touched:
            item.snapshot = changed.get(item.source_id)
        HistoricalItem.objects.bulk_update(touched, ["snapshot"], batch_size=500)
        marks[module] = _newest(mark, module, source_side, changed.values())
    HistoricalJob.objects.filter(pk=job.pk).update(snapshot_marks=marks, snapshots_checked=True)
    job.snapshot_marks, job.snapshots_checked = marks, True


def _work_chunks(job: HistoricalJob, context: SyncContext, owner: str, started: float,
                 slice_seconds: float) -> str:
    if not job.snapshots_checked:
        refresh_snapshots(job, context)
    if job.current_run_id and job.current_run.status in (RunStatus.PENDING, RunStatus.RUNNING):
        if runs.process_run(job.current_run_id, owner=owner, context=context) is None:
            return "busy"  # another worker resumed that chunk; try again later
        job.current_run.refresh_from_db()
    if job.current_run_id:
        _record_run(job, job.current_run)  # done, or ended failed (its records have failure entries)
    while True:
        job.refresh_from_db(fields=["status"])
        if job.status != JobStatus.RUNNING:
            return "stopped"
        item = HistoricalItem.objects.filter(job=job, state=HistoricalItemState.PENDING).order_by("id").first()
        if item is None:
            HistoricalJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.DONE, finished_at=timezone.now())
            return "done"
        chunk = list(HistoricalItem.objects.filter(job=job, module=item.module, state=HistoricalItemState.PENDING)
                     .order_by("id").values_list("source_id", "snapshot")[: CHUNK[job.direction]])
        ids = [source_id for source_id, _snapshot in chunk]
        known = {source_id: snapshot for source_id, snapshot in chunk if snapshot}
        run = runs.create_run(job.xero_organisation, item.module, job.direction, trigger="historical", ids=ids)
        HistoricalJob.objects.filter(pk=job.pk).update(current_run=run,
                                                        lease_until=timezone.now() + timedelta(seconds=LEASE_SECONDS))
        finished = (runs.process_run(run.pk, owner=owner, context=context, known=known)
                    or SyncRun.objects.get(pk=run.pk))
        if finished.status in (RunStatus.PENDING, RunStatus.RUNNING):
            return "busy"
        _record_run(job, finished)
        if time.monotonic() - started >= slice_seconds:
            return "more"


def stale_jobs() -> list:
    """Running or planning jobs that nobody holds and no queued message will pick up: their worker died (lease
    expired), their message was lost (queued lease expired), or a chunk was left to retry (no lease)."""
    now = timezone.now()
    return list(HistoricalJob.objects.filter(status__in=[JobStatus.RUNNING, JobStatus.PLANNING]).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True)).values_list("pk", flat=True))


# --- progress ------------------------------------------------------------------------------------------------


def calls_per_record(job: HistoricalJob, module: str) -> dict:
    """Estimated API calls per record of a module (zoho.md §8, xero.md §8): reads, lookups and writes."""
    if job.direction == ZOHO_TO_XERO:
        invoice_reads = 1.0 if job.line_fallback else 1 / 100  # by id, or the lines in bulk
        return {"zoho": invoice_reads if spec(module).line_subform else 1 / 100, "xero": 3 / 50}
    return {"xero": 2 / 100, "zoho": 2 / 100}


def seconds_left(job: HistoricalJob) -> int | None:
    """Time left: the larger of the rate limits' floor (Xero's calls per minute per tenant) and the rate seen."""
    remaining = Counter(dict(HistoricalItem.objects.filter(job=job, state=HistoricalItemState.PENDING)
                             .values("module").annotate(n=Count("id")).values_list("module", "n")))
    if not remaining:
        return 0
    per_second = float(connection_conf.get("XERO_RATE_LIMIT_PER_WINDOW")) / float(
        connection_conf.get("XERO_RATE_LIMIT_WINDOW_SECONDS"))
    xero_calls = sum(count * calls_per_record(job, module)["xero"] for module, count in remaining.items())
    floor = xero_calls / per_second if per_second > 0 else 0
    observed = 0.0
    if job.started_at and job.processed:
        elapsed = (timezone.now() - job.started_at).total_seconds()
        observed = elapsed / job.processed * sum(remaining.values())
    return int(max(floor, observed)) + 1


# --- summary -------------------------------------------------------------------------------------------------


def summary(job: HistoricalJob) -> list[dict]:
    """What a finished (or cancelled) job wrote, per module, action and outcome, from its audit entries (every
    record the job's chunk runs attempted has one, trigger "historical"), each with the audit page's query that
    lists those entries."""
    if job.started_at is None:
        return []
    finished = job.finished_at or timezone.now()
    tenant_id = job.xero_organisation.tenant_id
    rows = (AuditEntry.objects.filter(organisation_id=job.organisation_id, xero_tenant_id=tenant_id,
                                      trigger=Trigger.HISTORICAL, direction=job.direction, module__in=job.modules,
                                      created_at__gte=job.started_at, created_at__lte=finished)
            .values("module", "action", "status").annotate(n=Count("id")).order_by())
    order = {module: i for i, module in enumerate(job.modules)}
    dates = {"date_from": timezone.localdate(job.started_at).isoformat(),
             "date_to": timezone.localdate(finished).isoformat()}
    result = []
    for row in sorted(rows, key=lambda r: (order.get(r["module"], 99), r["action"], r["status"])):
        query = urlencode({"trigger": Trigger.HISTORICAL, "xero": tenant_id, "module": row["module"],
                           "direction": job.direction, "action": row["action"], "status": row["status"], **dates})
        result.append({"module": row["module"], "module_label": AuditModule(row["module"]).label,
                       "action": row["action"], "action_label": Action(row["action"]).label,
                       "status": row["status"], "status_label": AuditStatus(row["status"]).label,
                       "count": row["n"], "query": query})
    return result
