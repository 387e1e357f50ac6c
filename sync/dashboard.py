"""What the dashboard shows about sync runs: those of the organisation still running or waiting, and which of
them are stuck (waiting to retry after a provider failure, or not renewed by any worker), with a Cancel button."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from . import retries, runs
from .models import MODULE_LABELS, RunProblem, RunStatus, SyncRun

LIMIT = 50


@dataclass
class RunRow:
    run: SyncRun
    module_label: str
    provider: str  # "Zoho CRM" / "Xero", when a provider failed
    stuck: bool  # waiting to retry, or no worker renewed it in time
    problem_label: str
    max_attempts: int


def active_runs(organisation) -> list[RunRow]:
    """The organisation's pending and running runs, oldest first (at most LIMIT)."""
    if organisation is None:
        return []
    now = timezone.now()
    lease = timedelta(seconds=runs.lease_seconds())
    rows = []
    queryset = (SyncRun.objects.filter(organisation=organisation, status__in=(RunStatus.PENDING, RunStatus.RUNNING))
                .select_related("xero_organisation").order_by("created_at")[:LIMIT])
    for run in queryset:
        expired = run.lease_until is not None and run.lease_until < now
        waiting = run.status == RunStatus.PENDING and run.created_at < now - lease
        rows.append(RunRow(
            run=run,
            module_label=str(MODULE_LABELS.get(run.module, run.module)),
            provider=retries.PROVIDER_NAMES.get(run.problem_provider, ""),
            stuck=bool(run.problem) or expired or waiting,
            problem_label=str(RunProblem(run.problem).label) if run.problem in RunProblem.values else "",
            max_attempts=retries.max_attempts(),
        ))
    return rows
