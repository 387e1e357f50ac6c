"""Counting provider calls per provider, endpoint, provider organisation and UTC day."""

import re

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import ApiCallCounter, Provider

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


def record_call(*, organisation_id, provider: str, external_id: str, endpoint: str, rate_limited: bool = False):
    lookup = dict(
        organisation_id=organisation_id,
        provider=provider,
        external_id=external_id or "",
        endpoint=endpoint,
        day=timezone.now().date(),
    )
    changes = {"count": F("count") + 1}
    if rate_limited:
        changes["rate_limited"] = F("rate_limited") + 1
    # Each step in a savepoint of its own: a caller inside a transaction (who logs a failed count and goes on)
    # is never left with a broken transaction.
    with transaction.atomic():
        if ApiCallCounter.objects.filter(**lookup).update(**changes):
            return
    try:
        with transaction.atomic():
            ApiCallCounter.objects.create(**lookup, count=1, rate_limited=int(rate_limited))
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
