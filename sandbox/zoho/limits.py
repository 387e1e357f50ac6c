"""Per-org limits (zoho.md §6): calls in flight (the edition's concurrency, and the sub-concurrency of
heavy calls) and API credits over a rolling 24 hours. Values come from sandbox.config `zoho.*`."""

import contextlib
import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from sandbox import clock, config
from sandbox.concurrency import InFlight

from .errors import ZohoError
from .models import CreditBucket

in_flight = InFlight()
heavy_in_flight = InFlight()


def too_many(message: str) -> ZohoError:
    return ZohoError("TOO_MANY_REQUESTS", message, {}, status=429)


@contextlib.contextmanager
def slot(org, *, heavy: bool = False):
    """Hold one of the org's concurrent-call slots for the duration of a call (429 when full)."""
    key = str(org.zid)
    if not in_flight.enter(key, int(config.get("zoho.concurrency", 10))):
        raise too_many("The concurrency limit of your edition has been exceeded. Please try again later.")
    try:
        if heavy:
            if not heavy_in_flight.enter(key, int(config.get("zoho.sub_concurrency", 10))):
                raise too_many("The sub-concurrency limit for this API has been exceeded. Please try again later.")
            try:
                yield
            finally:
                heavy_in_flight.leave(key)
        else:
            yield
    finally:
        in_flight.leave(key)


def used(org) -> int:
    since = clock.now() - datetime.timedelta(hours=24)
    return CreditBucket.objects.filter(org=org, minute__gt=since).aggregate(total=Sum("used"))["total"] or 0


def remaining(org) -> int:
    return int(config.get("zoho.daily_credits", 50000)) - used(org)


def check_credits(org) -> int:
    left = remaining(org)
    if left <= 0:
        raise too_many("You have exhausted the API credits of the day. Please try again later.")
    return left


def charge(org, credits: int) -> None:
    if credits <= 0:
        return
    minute = clock.now().replace(second=0, microsecond=0)
    with transaction.atomic(using="sandbox"):
        if CreditBucket.objects.filter(org=org, minute=minute).update(used=F("used") + credits):
            return
        try:
            with transaction.atomic(using="sandbox"):
                CreditBucket.objects.create(org=org, minute=minute, used=credits)
        except IntegrityError:
            CreditBucket.objects.filter(org=org, minute=minute).update(used=F("used") + credits)


def reset() -> None:
    in_flight.clear()
    heavy_in_flight.clear()
