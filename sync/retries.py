"""How failed sync attempts converge: the bound and backoff of retries, what a provider failure means for a run,
reading ids so that one unreadable record does not hold back the others, and the audit entry of a record a
run gives up on. Plain Python beside sync/runs.py (which applies it to runs) and the trigger tasks."""

import os
import re

from django.conf import settings
from django.utils.translation import gettext_noop

from audit.services import record as audit_record
from connections.exceptions import AuthRevoked, PermanentError, ProviderError, RateLimited, TransientError

from .engine.modules import XERO, ZOHO, ZOHO_TO_XERO
from .models import RunProblem

PROVIDER_NAMES = {"zoho": "Zoho CRM", "xero": "Xero"}

MALFORMED = "malformed id"
NOT_FOUND = "no such record"
ZOHO_ID = re.compile(r"[0-9]{1,19}")
XERO_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(:.{1,64})?")

# Why a record was not synced, by RunProblem (message ids; the audit page shows them in the reader's language).
RUN_MESSAGES = {
    RunProblem.UNREACHABLE: gettext_noop(
        "Not synced: %(provider)s could not be reached after %(attempts)s attempts, so the portal stopped "
        "retrying. Resync the record when %(provider)s is available again."),
    RunProblem.RATE_LIMITED: gettext_noop(
        "Not synced: %(provider)s kept answering that its rate limit was reached (%(attempts)s attempts), so the "
        "portal stopped retrying. Resync the record later."),
    RunProblem.REFUSED: gettext_noop(
        "Not synced: %(provider)s refused the request, so the portal did not retry it. Check the record in "
        "%(provider)s, then resync it."),
    RunProblem.REVOKED: gettext_noop(
        "Not synced: the access to %(provider)s was revoked or has expired. Reconnect it on the Connections page, "
        "then resync the record."),
    RunProblem.STALLED: gettext_noop(
        "Not synced: the sync did not finish after %(attempts)s attempts, so the portal stopped retrying. Resync "
        "the record."),
    RunProblem.CANCELLED: gettext_noop(
        "Not synced: a member cancelled the sync before this record was processed. Resync the record to sync it."),
}
# Run outcomes that may pass on a later try (sync/failures.py tries such dependencies again).
PASSING_RUN_MESSAGES = tuple(RUN_MESSAGES[p] for p in (RunProblem.UNREACHABLE, RunProblem.RATE_LIMITED,
                                                         RunProblem.REVOKED, RunProblem.STALLED, RunProblem.CANCELLED))
UNREADABLE_MESSAGES = {
    MALFORMED: gettext_noop(
        "Not synced: %(id)s is not a valid %(provider)s record id, so the record cannot be read. The portal does "
        "not try it again."),
    NOT_FOUND: gettext_noop(
        "Not synced: %(provider)s has no record %(id)s (it was deleted, or the id is wrong), so there is nothing to "
        "sync. The portal does not try it again."),
    RunProblem.REFUSED: gettext_noop(
        "Not synced: %(provider)s refused to return the record %(id)s. The portal does not try it again; check the "
        "record in %(provider)s."),
    RunProblem.UNREACHABLE: gettext_noop(
        "Not synced: %(provider)s failed to return the record %(id)s while it returned other data. The portal does "
        "not try it again; check the record in %(provider)s, then resync it."),
}


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def max_attempts() -> int:
    """Failed attempts without progress after which a run ends failed (SYNC_RUN_MAX_ATTEMPTS, default 8)."""
    return max(1, int(_setting("SYNC_RUN_MAX_ATTEMPTS", 8)))


def delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt` + 1: the provider's Retry-After when it gave one, else exponential
    backoff from SYNC_RETRY_BACKOFF_SECONDS (default 10) capped at SYNC_RETRY_BACKOFF_MAX_SECONDS (600)."""
    if retry_after:
        return max(1.0, float(retry_after))
    base = _setting("SYNC_RETRY_BACKOFF_SECONDS", 10.0)
    return min(_setting("SYNC_RETRY_BACKOFF_MAX_SECONDS", 600.0), base * 2 ** max(0, attempt - 1))


def problem_of(error) -> tuple[str, str]:
    """(RunProblem, technical detail) of a failed attempt."""
    detail = str(error)[:1000]
    if isinstance(error, RateLimited):
        return RunProblem.RATE_LIMITED, detail
    if isinstance(error, AuthRevoked):
        return RunProblem.REVOKED, detail
    if isinstance(error, PermanentError):
        return RunProblem.REFUSED, detail
    if isinstance(error, ProviderError) and getattr(error, "provider", "") in PROVIDER_NAMES:
        return RunProblem.UNREACHABLE, detail
    return RunProblem.STALLED, detail


def provider_of(error) -> str:
    return getattr(error, "provider", "") or "sync"


def well_formed(side: str, record_id: str) -> bool:
    """Whether `record_id` can be a record id of that side (Zoho: a number; Xero: a UUID)."""
    if side == ZOHO:  # ASCII digits that fit a 64-bit integer
        return bool(ZOHO_ID.fullmatch(record_id)) and int(record_id) < 2**63
    if side == XERO:
        return bool(XERO_ID.fullmatch(record_id))
    return True


def read_isolating(read, ids: list[str], *, probe=None, isolate: bool = False):
    """Read records by ids with `read(ids)`; returns (records, {id: error} of the ids that cannot be read).

    A refusal (4xx) of several ids is narrowed down by halves to the ids refused. A transient failure is raised
    (the run retries later), unless `isolate` (an earlier attempt failed already) and `probe()` shows that the
    provider answers: then the ids are at fault, and the ones that keep failing are narrowed down the same way."""
    if not ids:
        return [], {}
    try:
        return read(ids), {}
    except PermanentError as error:
        if len(ids) == 1:
            return [], {ids[0]: error}
    except TransientError as error:
        if not isolate or probe is None:
            raise
        try:
            probe()
        except (TransientError, RateLimited):
            raise error from None
        if len(ids) == 1:
            return [], {ids[0]: error}
    return _bisect(read, ids)


def _bisect(read, ids):
    middle = len(ids) // 2
    records, failures = [], {}
    for half in (ids[:middle], ids[middle:]):
        try:
            records += read(half)
        except (PermanentError, TransientError) as error:
            if len(half) == 1:
                failures[half[0]] = error
            else:
                found, failed = _bisect(read, half)
                records += found
                failures.update(failed)
    return records, failures


def record_failure(run, source_id: str, problem: str, *, detail: str = "", attempts: int = 0,
                   unreadable: bool = False):
    """The audit entry of a record the run did not sync (one per record and run)."""
    source_side = ZOHO if run.direction == ZOHO_TO_XERO else XERO
    provider = run.problem_provider if not unreadable else source_side
    if unreadable:
        key = detail if detail in (MALFORMED, NOT_FOUND) else (
            RunProblem.UNREACHABLE if problem == RunProblem.UNREACHABLE else RunProblem.REFUSED)
        message_key = UNREADABLE_MESSAGES[key]
    else:
        message_key = RUN_MESSAGES.get(problem, RUN_MESSAGES[RunProblem.STALLED])
    xero_organisation = run.xero_organisation
    return audit_record(
        organisation=xero_organisation.organisation,
        module=run.module,
        action="skip",
        status="skipped" if problem == RunProblem.CANCELLED else "failed",
        message_key=message_key,
        message_params={"provider": PROVIDER_NAMES.get(provider, PROVIDER_NAMES[source_side]),
                        "attempts": attempts, "id": source_id[:64]},
        xero_tenant_id=xero_organisation.tenant_id,
        xero_tenant_name=xero_organisation.tenant_name,
        zoho_id=source_id[:64] if source_side == ZOHO else "",
        xero_id=source_id[:64] if source_side == XERO else "",
        direction=run.direction,
        trigger=run.trigger,
        provider_error=detail or run.error,
        resync_of=run.resync_of,
    )
