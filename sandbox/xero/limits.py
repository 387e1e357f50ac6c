"""Xero's API limits per tenant: calls in flight, per minute and per day, and per minute across the app.

Minute and day limits use fixed windows that start at a tenant's first call (so each tenant's day resets at
its own time, as Xero documents). The in-flight count lives in memory (one server process) and counts the
requests really in progress across the server's threads. Rejected calls do not use up the windows.
"""

import dataclasses
import datetime
import math

from django.db import IntegrityError, transaction

from sandbox import clock
from sandbox.concurrency import InFlight
from sandbox.services import track

from .models import RateWindow

in_flight = track(InFlight())
APP = "*"
WINDOWS = (("day", 86400), ("minute", 60), ("app", 60))


@dataclasses.dataclass
class Verdict:
    problem: str | None  # None, "day", "minute", "appminute"
    retry_after: int
    remaining: dict  # header name -> remaining calls


def _window(tenant, kind, now):
    try:
        with transaction.atomic(using="sandbox"):
            row, _ = RateWindow.objects.select_for_update().get_or_create(
                tenant=tenant, kind=kind, defaults={"started_at": now, "calls": 0})
    except IntegrityError:
        row = RateWindow.objects.select_for_update().get(tenant=tenant, kind=kind)
    return row


def take_call(tenant_id: str, config: dict) -> Verdict:
    """Count one call of `tenant_id` unless a window is full; returns the verdict and the remaining counts."""
    limits = {"day": config["day_limit"], "minute": config["minute_limit"], "app": config["app_minute_limit"]}
    now = clock.now()
    with transaction.atomic(using="sandbox"):
        rows = {}
        for kind, length in WINDOWS:
            row = _window(APP if kind == "app" else tenant_id, kind, now)
            row = RateWindow.objects.select_for_update().get(pk=row.pk)
            if now >= row.started_at + datetime.timedelta(seconds=length) or now < row.started_at:
                row.started_at, row.calls = now, 0
            rows[kind] = (row, length)
        problem, retry_after = None, 0
        for kind in ("day", "minute", "app"):
            row, length = rows[kind]
            if row.calls >= limits[kind]:
                problem = {"app": "appminute"}.get(kind, kind)
                end = row.started_at + datetime.timedelta(seconds=length)
                retry_after = max(1, math.ceil((end - now).total_seconds()))
                break
        for row, _ in rows.values():
            if problem is None:
                row.calls += 1
            row.save()
    remaining = {
        "X-DayLimit-Remaining": max(0, limits["day"] - rows["day"][0].calls),
        "X-MinLimit-Remaining": max(0, limits["minute"] - rows["minute"][0].calls),
        "X-AppMinLimit-Remaining": max(0, limits["app"] - rows["app"][0].calls),
    }
    return Verdict(problem=problem, retry_after=retry_after, remaining=remaining)


def app_remaining(config: dict) -> int:
    row = RateWindow.objects.filter(tenant=APP, kind="app").first()
    if row is None or clock.now() >= row.started_at + datetime.timedelta(seconds=60):
        return config["app_minute_limit"]
    return max(0, config["app_minute_limit"] - row.calls)
