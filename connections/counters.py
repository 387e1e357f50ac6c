"""Counting provider calls per provider, endpoint, provider organisation and UTC day.

A call is counted at once (one UPDATE, or an INSERT the first time of the day), except inside `deferred()`: a
sync run counts its calls in memory and `flush()` writes them once per chunk, one UPDATE per endpoint, so a
chunk of 50 records does not pay a counter write for every API call. What is still in memory when the block
ends (or when the run fails) is flushed then; a process killed in between loses at most one chunk's counts.
"""

import logging
import re
import threading
from collections import Counter
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import ApiCallCounter, Provider

logger = logging.getLogger(__name__)
_ID_SEGMENT = re.compile(r"^(?:[0-9a-fA-F-]{32,36}|\d+|[A-Z0-9_]{12,})$")


def endpoint_name(method: str, path: str) -> str:
    """`GET /api.xro/2.0/Contacts/<uuid>` -> `GET Contacts/{id}`: ids collapsed, base path dropped."""
    segments = [s for s in path.split("?")[0].split("/") if s]
    for marker in ("2.0", "v8"):
        if marker in segments:
            segments = segments[segments.index(marker) + 1 :]
            break
    collapsed = ["{id}" if _ID_SEGMENT.match(s) else s for s in segments]
    return f"{method.upper()} {'/'.join(collapsed) or '/'}"[:120]


_state = threading.local()  # .pending while deferred: Counter of lookup key -> calls, (*key, "rate_limited") -> 429s


def record_call(*, organisation_id, provider: str, external_id: str, endpoint: str, rate_limited: bool = False):
    key = (organisation_id, provider, external_id or "", endpoint, timezone.now().date())
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending[key] += 1
        if rate_limited:
            pending[(*key, "rate_limited")] += 1
        return
    _write(key, 1, int(rate_limited))


@contextmanager
def deferred():
    """Count the calls made inside the block in memory; `flush()` writes them (and the block's end does)."""
    outer = getattr(_state, "pending", None)
    if outer is not None:  # nested: the outer block flushes
        yield
        return
    _state.pending = Counter()
    try:
        yield
    finally:
        try:
            flush()
        finally:
            _state.pending = None


def flush() -> None:
    """Write the calls counted in memory (one statement per endpoint and day); nothing when not deferred."""
    pending = getattr(_state, "pending", None)
    if not pending:
        return
    counts = dict(pending)
    pending.clear()
    for key, calls in counts.items():
        if len(key) == 5:
            try:
                _write(key, calls, counts.get((*key, "rate_limited"), 0))
            except Exception:  # counting must never break a sync
                logger.exception("Could not write the call counter %s", key[1:4])


def _write(key: tuple, calls: int, rate_limited: int) -> None:
    organisation_id, provider, external_id, endpoint, day = key
    lookup = dict(organisation_id=organisation_id, provider=provider, external_id=external_id, endpoint=endpoint,
                  day=day)
    changes = {"count": F("count") + calls}
    if rate_limited:
        changes["rate_limited"] = F("rate_limited") + rate_limited
    # Each step in a savepoint of its own: a caller inside a transaction (who logs a failed count and goes on)
    # is never left with a broken transaction.
    with transaction.atomic():
        if ApiCallCounter.objects.filter(**lookup).update(**changes):
            return
    try:
        with transaction.atomic():
            ApiCallCounter.objects.create(**lookup, count=calls, rate_limited=rate_limited)
    except IntegrityError:
        with transaction.atomic():
            ApiCallCounter.objects.filter(**lookup).update(**changes)


def calls_today(*, organisation_id, provider: str, external_id: str | None = None) -> int:
    queryset = ApiCallCounter.objects.filter(
        organisation_id=organisation_id, provider=provider, day=timezone.now().date()
    )
    if external_id is not None:
        queryset = queryset.filter(external_id=external_id)
    return queryset.aggregate(total=Sum("count"))["total"] or 0


def xero_calls_today(xero_organisation) -> int:
    return calls_today(
        organisation_id=xero_organisation.organisation_id, provider=Provider.XERO, external_id=xero_organisation.tenant_id
    )
