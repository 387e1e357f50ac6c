"""Filtering, searching, sorting and paging the audit log, built to stay fast at millions of rows.

Paging is by keyset (a cursor holding the sort values of the last row shown), not by OFFSET, so page 400
costs what page 1 costs. The total is counted up to COUNT_CAP rows and shown as "more than N" beyond,
and on PostgreSQL within COUNT_TIMEOUT_MS (else "many"), so the page never counts a million rows.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import operator
import uuid
from dataclasses import dataclass
from functools import reduce

from django.db import OperationalError, connections, transaction
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from .forms import DEFAULT_SORT

COUNT_CAP = 1_000
CURSOR_YEARS = (1900, 9998)  # a cursor naming a time outside these is crafted: refused
# On PostgreSQL the count also gets a time budget: past it the page says "many" instead of waiting.
COUNT_TIMEOUT_MS = 60
# A search with more matches than this is dense enough to walk the name index when sorting by name.
NAME_INDEX_THRESHOLD = 10_000

# URL sort key -> (model field, descending). Ties are broken by created_at then id (see _ordering).
SORT_FIELDS = {
    "created": "created_at",
    "name": "record_name",
    "module": "module",
    "direction": "direction",
    "status": "status",
}


def apply_filters(queryset: QuerySet, filters: dict) -> QuerySet:
    """Narrow `queryset` by the valid values of AuditFilterForm.filters() (dates are whole days, local time)."""
    if start := filters.get("date_from"):
        queryset = queryset.filter(created_at__gte=_start_of_day(start))
    if end := filters.get("date_to"):
        queryset = queryset.filter(created_at__lt=_start_of_day(end + datetime.timedelta(days=1)))
    for name in ("module", "direction", "status", "trigger", "action"):
        if value := filters.get(name):
            queryset = queryset.filter(**{name: value})
    if tenant_id := filters.get("xero"):
        queryset = queryset.filter(xero_tenant_id=tenant_id)
    if term := filters.get("q"):
        queryset = queryset.filter(search_q(term))
    return queryset


def search_q(term: str) -> Q:
    """Record name or message containing `term` (any case), or a Zoho / Xero id equal to it."""
    term = term.strip()
    ids = {term, term.lower()}
    return (
        Q(record_name__icontains=term)
        | Q(message__icontains=term)
        | Q(zoho_id__in=ids)
        | Q(xero_id__in=ids)
    )


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _ordering(sort: str) -> list[tuple[str, bool]]:
    """[(field, descending), ...] for a URL sort key; unknown keys fall back to newest first.

    A descending sort is the exact reverse of the ascending one (ties newest first when ascending, oldest
    first when descending), so one index (organisation, column, -created_at) serves both directions.
    """
    if sort.lstrip("-") not in SORT_FIELDS:
        sort = DEFAULT_SORT
    descending = sort.startswith("-")
    name = SORT_FIELDS[sort.lstrip("-")]
    if name == "created_at":
        return [("created_at", descending), ("id", descending)]
    return [(name, descending), ("created_at", not descending), ("id", not descending)]


def _order_by(ordering, searching: bool = False):
    """ORDER BY terms. While searching (with at most NAME_INDEX_THRESHOLD matches), names are ordered by an
    expression no index serves: the matches of a search are clustered in name order ("Harbour ..."), so
    walking the name index to find them can read most of the organisation's rows, while the search's own
    indexes plus a top-N sort of at most NAME_INDEX_THRESHOLD rows are bounded."""
    terms = []
    for name, desc in ordering:
        if searching and name == "record_name":
            expression = Concat(F("record_name"), Value(""), output_field=CharField())
            terms.append(expression.desc() if desc else expression.asc())
        else:
            terms.append(f"-{name}" if desc else name)
    return terms


def _after(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering` (mixed directions): a disjunction of row comparisons."""
    steps = []
    for i, (name, desc) in enumerate(ordering):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{ordering[j][0]: values[j]})
        steps.append(step)
    return reduce(operator.or_, steps)


def _encode(row, ordering) -> str:
    values = []
    for name, _desc in ordering:
        value = getattr(row, name)
        values.append(value.isoformat() if isinstance(value, datetime.datetime) else str(value))
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(token: str, ordering) -> list | None:
    """The cursor's values, or None when it is malformed (a bad cursor shows the first page)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, list) or len(raw) != len(ordering) or not all(isinstance(v, str) for v in raw):
            return None
        values = []
        for (name, _desc), value in zip(ordering, raw, strict=True):
            if name == "created_at":
                parsed = datetime.datetime.fromisoformat(value)
                if timezone.is_naive(parsed):
                    return None
                # In UTC, as the database compares it (year 1 at +14:00 overflows); no entry is that old or new.
                parsed = parsed.astimezone(datetime.UTC)
                if not CURSOR_YEARS[0] <= parsed.year <= CURSOR_YEARS[1]:
                    return None
                values.append(parsed)
            elif name == "id":
                values.append(uuid.UUID(value))
            else:
                values.append(value)
        return values
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None


@dataclass
class Page:
    entries: list
    per_page: int
    total: int | None  # None: too slow to count
    total_capped: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    cursor_refused: bool = False  # the after/before cursor was malformed: the first page is shown instead


def bounded_count(queryset: QuerySet, cap: int) -> int | None:
    """min(rows, cap + 1), or None when PostgreSQL could not count within COUNT_TIMEOUT_MS."""
    limited = queryset.order_by()[: cap + 1]
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return limited.count()
    try:
        with transaction.atomic(using=queryset.db):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(COUNT_TIMEOUT_MS)])
            total = limited.count()
            with connection.cursor() as cursor:  # inside an outer transaction the setting would outlive us
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return total
    except OperationalError:  # the statement timeout cancelled the count (the savepoint undid the setting)
        return None


def paginate(
    queryset: QuerySet, *, sort: str, per_page: int, after: str = "", before: str = "", searching: bool = False
) -> Page:
    """One page of `queryset` in `sort` order, after (or before) a cursor from a previous page."""
    ordering = _ordering(sort)
    rows: list
    total = bounded_count(queryset, COUNT_CAP)
    if searching and ordering[0][0] == "record_name":
        # Few matches are sorted from the search's own indexes; many are found fast along the name index.
        if total is not None and total > COUNT_CAP:
            total_for_sort = bounded_count(queryset, NAME_INDEX_THRESHOLD)
            dense = total_for_sort is None or total_for_sort > NAME_INDEX_THRESHOLD
        else:
            dense = total is None
        searching = not dense
    after_values = _decode(after, ordering) if after else None
    before_values = _decode(before, ordering) if before and not after_values else None
    cursor_refused = bool(after and after_values is None) or bool(before and not after and before_values is None)
    if before_values is not None:
        reversed_ordering = [(name, not desc) for name, desc in ordering]
        fetched = list(
            queryset.filter(_after(reversed_ordering, before_values)).order_by(*_order_by(reversed_ordering, searching))[
                : per_page + 1
            ]
        )
        has_previous = len(fetched) > per_page
        rows = list(reversed(fetched[:per_page]))
        has_next = True
    else:
        window = queryset.filter(_after(ordering, after_values)) if after_values is not None else queryset
        fetched = list(window.order_by(*_order_by(ordering, searching))[: per_page + 1])
        rows = fetched[:per_page]
        has_next = len(fetched) > per_page
        has_previous = after_values is not None
    return Page(
        entries=rows,
        per_page=per_page,
        total=None if total is None else min(total, COUNT_CAP),
        total_capped=total is not None and total > COUNT_CAP,
        next_cursor=_encode(rows[-1], ordering) if rows and has_next else "",
        previous_cursor=_encode(rows[0], ordering) if rows and has_previous else "",
        is_first=not has_previous,
        cursor_refused=cursor_refused,
    )
