"""Sync health for the dashboard, computed from the audit entries of one organisation."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, CharField, Count, F, Value, When, Window
from django.db.models.functions import Concat, RowNumber, TruncDate
from django.utils import timezone

from .models import AuditEntry, Module, Status, Trigger

WINDOW_DAYS = 30
CACHE_SECONDS = 60  # the dashboard's counts may be a minute old; they read a month of entries
CHART_HEIGHT = 120  # px of the tallest bar in the SVG chart
BAR_WIDTH = 7  # px of one bar; a day is two bars and a gap
DAY_WIDTH = 2 * BAR_WIDTH + 4
CHART_WIDTH = WINDOW_DAYS * DAY_WIDTH
SYNCED_MODULES = [m for m in Module if m != Module.CONNECTION]


@dataclass
class ModuleHealth:
    module: str
    in_sync: int = 0
    failing: int = 0
    skipped: int = 0

    @property
    def label(self):
        return Module(self.module).label


@dataclass
class TriggerRun:
    trigger: str
    label: str
    entry: AuditEntry | None
    succeeded: int = 0
    failed: int = 0


@dataclass
class Day:
    date: datetime.date
    successes: int
    failures: int
    success_height: int = 0
    failure_height: int = 0
    x: int = 0  # left edge of the day's pair of bars in the SVG chart

    @property
    def success_y(self) -> int:
        return CHART_HEIGHT - self.success_height

    @property
    def failure_y(self) -> int:
        return CHART_HEIGHT - self.failure_height

    @property
    def failure_x(self) -> int:
        return self.x + BAR_WIDTH


def module_health(queryset, now=None) -> list[ModuleHealth]:
    """Per module, records whose latest entry in the last 30 days succeeded, failed or was skipped (a record
    synced with two Xero organisations counts once in each)."""
    since = (now or timezone.now()) - datetime.timedelta(days=WINDOW_DAYS)
    recent = queryset.filter(created_at__gte=since).exclude(module=Module.CONNECTION).exclude(zoho_id="", xero_id="")
    latest = (
        recent.annotate(
            record_key=Case(
                When(zoho_id="", then=Concat(Value("x:"), F("xero_id"))),
                default=Concat(Value("z:"), F("zoho_id")),
                output_field=CharField(),
            )
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("xero_tenant_id"), F("module"), F("record_key")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .order_by()  # no outer sort (the model's default ordering) over the result
        .values_list("module", "status")
    )
    counts = Counter(latest)  # one small row per record; counted here, saving a join back to the table
    rows = {m.value: ModuleHealth(module=m.value) for m in SYNCED_MODULES}
    attribute = {Status.SUCCESS: "in_sync", Status.FAILED: "failing", Status.SKIPPED: "skipped"}
    for (module, status), n in counts.items():
        health = rows.get(module)
        if health is not None and status in attribute:
            setattr(health, attribute[status], n)
    return list(rows.values())


RUN_WINDOW = datetime.timedelta(minutes=15)


def last_runs(queryset) -> list[TriggerRun]:
    """The latest entry of each trigger, and the outcome of that trigger's last run: its successes and failures in
    the RUN_WINDOW up to that entry (a cron run writes many entries; its last one alone says little: one named
    failing record made a run of 180 good records read "Failed"). Two indexed queries per trigger."""
    runs = []
    for trigger in Trigger:
        entry = queryset.filter(trigger=trigger).order_by("-created_at", "-id").first()
        run = TriggerRun(trigger=trigger.value, label=trigger.label, entry=entry)
        if entry is not None:
            counts = dict(
                queryset.filter(
                    trigger=trigger,
                    created_at__gt=entry.created_at - RUN_WINDOW,
                    created_at__lte=entry.created_at,
                    status__in=[Status.SUCCESS, Status.FAILED],
                )
                .values_list("status")
                .annotate(n=Count("id"))
                .order_by()
            )
            run.succeeded, run.failed = counts.get(Status.SUCCESS, 0), counts.get(Status.FAILED, 0)
        runs.append(run)
    return runs


def daily_counts(queryset, now=None) -> list[Day]:
    """Successes and failures per day for the last 30 days (today included), with bar heights."""
    today = timezone.localdate(now or timezone.now())
    first = today - datetime.timedelta(days=WINDOW_DAYS - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    counts = (
        queryset.filter(created_at__gte=start, status__in=[Status.SUCCESS, Status.FAILED])
        .annotate(day=TruncDate("created_at"))
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_day: dict = {}
    for item in counts:
        by_day.setdefault(item["day"], {})[item["status"]] = item["n"]
    days = [
        Day(
            date=day,
            successes=by_day.get(day, {}).get(Status.SUCCESS, 0),
            failures=by_day.get(day, {}).get(Status.FAILED, 0),
        )
        for day in (first + datetime.timedelta(days=i) for i in range(WINDOW_DAYS))
    ]
    tallest = max([max(d.successes, d.failures) for d in days] + [1])
    for index, day in enumerate(days):
        day.x = index * DAY_WIDTH
        day.success_height = round(CHART_HEIGHT * day.successes / tallest)
        day.failure_height = round(CHART_HEIGHT * day.failures / tallest)
    return days


def cached_summary(organisation, queryset, variant: str = "") -> dict:
    """{"modules": module_health(...), "days": daily_counts(...)}, computed at most once a minute (per
    `variant`: the Xero organisation the dashboard is narrowed to, if any)."""
    key = f"audit:dashboard:{organisation.pk}" + (f":{variant}" if variant else "")
    summary = cache.get(key)
    if summary is None:
        summary = {"modules": module_health(queryset), "days": daily_counts(queryset)}
        cache.set(key, summary, CACHE_SECONDS)
    return summary
