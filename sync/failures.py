"""One failure, one entry: a record refused again for the same reason updates its failure entry (`fold_repeats`),
and which records failed for a reason of their own and have not changed since.

An invoice's account and products are synced before it (`runs._dependencies`). A dependency that failed and is
unchanged would fail again in the same way, so it is not tried (and reported) again for every invoice that needs
it within one cycle (`RECENT`, longer than the cron interval); the invoices say once that they wait on it and why.
Failures that may pass on a retry (the provider could not be reached, the connection needs renewing) do not count.
Copy to Xero and Resync, which a person asked for, always try the dependencies again (the mapping may have been
fixed since).
"""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from audit.models import AuditEntry
from audit.models import Status as AuditStatus

from . import retries
from .engine import messages
from .engine.fingerprint import parse_time
from .engine.modules import sides, spec

# (and a run that stopped retrying because a provider was unreachable, rate-limited or stalled, or was cancelled)
PASSING_FAILURES = (messages.PROVIDER_UNAVAILABLE, messages.RECONNECT_NEEDED, *retries.PASSING_RUN_MESSAGES)
RECENT = timedelta(minutes=15)
RETRY_TRIGGERS = ("copy", "resync")


def without_unchanged_failures(xero_organisation, module: str, direction: str, records: list[dict]) -> list[dict]:
    """`records` (source records of `module`) minus those whose last attempt failed after their last change."""
    if not records:
        return records
    source_side, _ = sides(direction)
    module_spec = spec(module)
    id_field = "zoho_id" if source_side == "zoho" else "xero_id"
    by_id = {module_spec.record_id(source_side, record): record for record in records}
    last = {}
    entries = (AuditEntry.objects.filter(organisation_id=xero_organisation.organisation_id,
                                         xero_tenant_id=xero_organisation.tenant_id, module=module,
                                         direction=direction, **{f"{id_field}__in": list(by_id)})
               .filter(Q(created_at__gte=timezone.now() - RECENT) | Q(last_checked_at__gte=timezone.now() - RECENT))
               .order_by("created_at").values_list(id_field, "status", "message_key", "created_at", "last_checked_at"))
    for record_id, status, message_key, created_at, checked_at in entries:
        last[record_id] = (status, message_key, max(created_at, checked_at or created_at))
    kept = []
    for record_id, record in by_id.items():
        status, message_key, failed_at = last.get(record_id, ("", "", None))
        modified = parse_time(module_spec.modified(source_side, record))
        unchanged = failed_at is not None and modified is not None and modified <= failed_at
        if status == AuditStatus.FAILED and message_key not in PASSING_FAILURES and unchanged:
            continue
        kept.append(record)
    return kept


def last_failure(xero_organisation, module: str, direction: str, source_id: str) -> tuple[str, dict] | None:
    """(message key, params) of the record's last audit entry when it is a failure of its own, else None."""
    id_field = "zoho_id" if sides(direction)[0] == "zoho" else "xero_id"
    entry = (AuditEntry.objects.filter(organisation_id=xero_organisation.organisation_id,
                                       xero_tenant_id=xero_organisation.tenant_id, module=module,
                                       direction=direction, **{id_field: str(source_id)})
             .exclude(status=AuditStatus.SKIPPED).order_by("-created_at")
             .values_list("status", "message_key", "message_params").first())
    if entry is None or entry[0] != AuditStatus.FAILED or entry[1] in PASSING_FAILURES or not entry[1]:
        return None
    return entry[1], entry[2] or {}


def as_reason(message_key: str, params: dict) -> dict:
    """Message parameters that carry another whole message as the reason (audit.models.translate_message builds
    it in the reader's language): {"reason": key, "reason:<name>": value, ...}."""
    return {"reason": message_key, **{f"reason:{key}": value for key, value in (params or {}).items()
                                      if isinstance(value, str | int | float) and not str(key).startswith("reason")}}


def _source_id_field(direction: str) -> str:
    return "zoho_id" if sides(direction)[0] == "zoho" else "xero_id"


def fold_repeats(xero_organisation, entries: list[dict], *, now=None) -> list[dict]:
    """A refusal is reported once: of `entries` (audit entries about to be written), those that repeat the record's
    latest entry (failed, same message and parameters, same provider error) are not written again; that entry is
    marked "still refused, last checked now" instead. A change of reason, a success in between, a failure that may
    pass on a retry, or an attempt a person asked for (Resync, Copy to Xero) still makes a new entry."""
    candidates = [entry for entry in entries if entry["status"] == AuditStatus.FAILED and entry.get("message_key")
                  and entry["message_key"] not in PASSING_FAILURES and entry.get("trigger") not in RETRY_TRIGGERS
                  and entry.get("resync_of") is None and entry.get(_source_id_field(entry["direction"]))]
    if not candidates:
        return entries
    latest = {}
    for direction in {entry["direction"] for entry in candidates}:
        id_field = _source_id_field(direction)
        wanted = {entry["module"] for entry in candidates if entry["direction"] == direction}
        ids = {entry[id_field] for entry in candidates if entry["direction"] == direction}
        rows = (AuditEntry.objects.filter(organisation_id=xero_organisation.organisation_id,
                                          xero_tenant_id=xero_organisation.tenant_id, direction=direction,
                                          module__in=wanted, **{f"{id_field}__in": ids})
                .order_by("created_at").values_list("pk", "module", id_field, "status", "message_key",
                                                    "message_params", "provider_error"))
        for pk, module, record_id, *reason in rows:
            latest[(direction, module, record_id)] = (pk, *reason)
    repeated, kept, candidate_ids = [], [], {id(entry) for entry in candidates}
    for entry in entries:
        key = (entry["direction"], entry["module"], entry.get(_source_id_field(entry["direction"])))
        previous = latest.get(key) if id(entry) in candidate_ids else None
        reason = (AuditStatus.FAILED, entry["message_key"], entry.get("message_params") or {},
                  entry.get("provider_error") or "")
        if previous is not None and tuple(previous[1:]) == reason:
            repeated.append(previous[0])
        else:
            kept.append(entry)
    if repeated:
        AuditEntry.objects.filter(pk__in=repeated).update(last_checked_at=now or timezone.now(),
                                                          checks=F("checks") + 1)
    return kept
