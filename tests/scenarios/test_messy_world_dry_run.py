"""Acceptance 3 of issue 13 on the messy world (`test_messy_world.seed`, with the README's routing rules): for each
Xero organisation and direction, the Historical Sync dry run's counts per module and action (create, update, and
refuse with its reason) equal what the job then does, and the dry run writes nothing.

The organisations go one after the other (AU, then UK) and each direction in turn, so every dry run meets what the
jobs before it wrote: records of the other organisation to match in Zoho, links of its own to update.
"""

from collections import Counter

import pytest

from audit.models import AuditEntry
from sync.engine import messages
from sync.triggers import historical
from sync.triggers import tasks as trigger_tasks
from tests.sync.portal_setup import writes

from .test_messy_world import route_by_billing_country, seed
from .world import World, connect_two

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def world(sandbox, owner_client, organisation, owner, settings, monkeypatch):
    for task in (trigger_tasks.historical_plan_task, trigger_tasks.historical_run_task):
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: None)  # the test runs them itself
    zoho, orgs = connect_two(sandbox, owner_client, organisation, owner, settings)
    return World(organisation, zoho, orgs, sandbox, inbox=None)


def _job_outcomes(xero_organisation, job) -> dict:
    """{module: Counter of create / update / refuse|reason} of the job's audit entries."""
    outcomes = {}
    entries = AuditEntry.objects.filter(xero_tenant_id=xero_organisation.tenant_id, trigger="historical",
                                        direction=job.direction, created_at__gte=job.created_at)
    for entry in entries:
        if entry.status == "failed":
            outcome = f"refuse|{entry.message_key}"
        elif entry.action in ("create", "update"):
            outcome = entry.action
        else:
            continue
        outcomes.setdefault(entry.module, Counter())[outcome] += 1
    return {module: +counts for module, counts in outcomes.items() if +counts}


def _planned(job) -> dict:
    planned = {}
    for module, counts in job.dry_run.items():
        tally = Counter({"create": counts["create"], "update": counts["update"]})
        for key, number in counts["reasons"].items():
            outcome, _, reason = key.partition("|")
            if outcome == "refuse":
                tally[f"refuse|{reason}"] += number
        if +tally:
            planned[module] = +tally
    return planned


def _run(job):
    for _ in range(1_000):
        if historical.work(job.pk, slice_seconds=0) != "more":
            return
    raise AssertionError("the job never finished")


def test_on_the_messy_world_the_dry_run_counts_equal_the_jobs_outcomes_per_module_and_action(world, sandbox):
    seeded = seed(world)
    route_by_billing_country(world)
    compared = []
    for org in world.orgs:
        for direction in ("zoho_to_xero", "xero_to_zoho"):
            sandbox.reset_counters()
            job = historical.create_job(org.xero_organisation, modules=["invoices"], direction=direction)
            job = historical.plan(job.pk)
            assert writes(sandbox, "xero") + writes(sandbox, "zoho") == 0, "the dry run wrote"
            planned = _planned(job)
            historical.start(job)
            _run(job)
            done = _job_outcomes(org.xero_organisation, job)
            assert done == planned, (org.name, direction, job.dry_run, done)
            compared.append((org.name, direction, planned))
    # the world's deliberately unmappable invoices (a currency the organisation has not enabled) were predicted
    refused = [(name, counts) for name, direction, plan in compared if direction == "zoho_to_xero"
               for counts in [plan.get("invoices", Counter())]]
    for name, counts in refused:
        assert counts[f"refuse|{messages.CURRENCY_NOT_ENABLED}"] == 1, (name, counts)
    assert len(seeded["unmappable"]) == 2
    # and something was created in each direction (the comparison is not one of empty counts)
    assert all(plan.get("accounts", Counter())["create"] or plan.get("invoices", Counter())["create"]
               for _name, _direction, plan in compared), compared
