"""One failure, one entry: which records failed for a reason of their own and have not changed since.

An invoice's account and products are synced before it (`runs._dependencies`). A dependency that failed and is
unchanged would fail again in the same way, so it is not tried (and reported) again for every invoice that needs
it; the invoices say once that they wait on it. Failures that may pass on a retry (the provider could not be
reached, the connection needs renewing) do not count. A Resync of the record itself always tries again.
"""

from audit.models import AuditEntry
from audit.models import Status as AuditStatus

from .engine import messages
from .engine.fingerprint import parse_time
from .engine.modules import sides, spec

PASSING_FAILURES = (messages.PROVIDER_UNAVAILABLE, messages.RECONNECT_NEEDED)


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
               .order_by("created_at").values_list(id_field, "status", "message_key", "created_at"))
    for record_id, status, message_key, created_at in entries:
        last[record_id] = (status, message_key, created_at)
    kept = []
    for record_id, record in by_id.items():
        status, message_key, failed_at = last.get(record_id, ("", "", None))
        modified = parse_time(module_spec.modified(source_side, record))
        unchanged = failed_at is not None and modified is not None and modified <= failed_at
        if status == AuditStatus.FAILED and message_key not in PASSING_FAILURES and unchanged:
            continue
        kept.append(record)
    return kept
