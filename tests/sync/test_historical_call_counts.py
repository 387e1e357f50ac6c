"""Issue 17, acceptance 2: a Historical Sync job's API calls do not depend on how its work is sliced, nor on the
run. The target is read once per job for matching (one slim index per module, kept with the job), the reference
data once, whatever the number of slices; so the same job over the same data makes the same calls whether every
chunk is a slice of its own or the whole job is one slice."""

from collections import Counter

import pytest
from django.test import Client

from sync.trigger_models import HistoricalJob, JobStatus
from sync.triggers import historical, tasks
from tenancy.models import Membership, Organisation, Role, User

from .portal_setup import connect

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

ACCOUNTS, PRODUCTS, INVOICES = 60, 12, 60  # more than one chunk of each module in both directions


def _world(sandbox, settings, direction: str, run: int):
    """A fresh sandbox with the same seeded records, and a new organisation connected to it."""
    sandbox.reset()
    Organisation.objects.all().delete()  # the previous world's organisation and its connections
    organisation = Organisation.objects.create(name=f"Slices {run}")
    owner = User.objects.create_user(f"slices-{run}@example.com", "slices-password-not-secret")
    Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    client = Client()
    client.force_login(owner)
    portal = connect(sandbox, client, organisation, owner, settings)
    if direction == "zoho_to_xero":
        sandbox.seed(zoho={"accounts": ACCOUNTS, "products": PRODUCTS, "invoices": INVOICES},
                     xero={"contacts": 0, "items": 0, "invoices": 0})
        from tests.sync.test_historical_sync import _map_taxes_and_accounts

        _map_taxes_and_accounts(portal)
    else:
        sandbox.seed(xero={"contacts": ACCOUNTS, "items": PRODUCTS, "invoices": INVOICES},
                     zoho={"accounts": 0, "products": 0, "invoices": 0})
    return portal, owner


def _calls(sandbox) -> Counter:
    counted = Counter()
    for provider, section in sandbox.counters().items():
        for row in (section or {}).get("rows", []) if isinstance(section, dict) else []:
            counted[(provider, row["method"], row["endpoint"])] += row["calls"]
    return counted


def _job_calls(sandbox, settings, direction: str, slice_seconds: float, run: int) -> tuple[Counter, HistoricalJob, int]:
    portal, owner = _world(sandbox, settings, direction, run)
    sandbox.reset_counters()
    job = historical.create_job(portal.xero_organisation, modules=["invoices"], direction=direction, user=owner)
    historical.plan(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.PLANNED
    historical.start(job)
    slices = 0
    outcome = "more"
    while outcome == "more":
        outcome = historical.work(job.pk, slice_seconds=slice_seconds)
        slices += 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.status
    return _calls(sandbox), job, slices


@pytest.fixture
def quiet_queue(monkeypatch):
    for name in ("historical_plan_task", "historical_run_task"):
        monkeypatch.setattr(getattr(tasks, name), "apply_async", lambda *args, **kwargs: None)


@pytest.mark.parametrize("direction", ["zoho_to_xero", "xero_to_zoho"])
def test_a_job_makes_the_same_calls_in_one_slice_per_chunk_as_in_one_long_slice(sandbox, settings, quiet_queue,
                                                                                 direction):
    sliced, sliced_job, many = _job_calls(sandbox, settings, direction, slice_seconds=0, run=1)
    whole, whole_job, few = _job_calls(sandbox, settings, direction, slice_seconds=20, run=2)

    assert many > few >= 1  # the first job really was cut into more slices (one chunk each)
    assert sliced_job.done == whole_job.done > 0 and sliced_job.failed == whole_job.failed
    assert sliced == whole, {key: (sliced[key], whole[key]) for key in set(sliced) | set(whole)
                             if sliced[key] != whole[key]}
    reads = {key: count for key, count in sliced.items() if key[1] == "GET" and key[0] == "xero"}
    if direction == "zoho_to_xero":
        # matching read each Xero module once for the whole job (summaryOnly), the reference data once
        assert reads[("xero", "GET", "api.xro/2.0/Organisation")] == 1, reads
        assert reads[("xero", "GET", "api.xro/2.0/Currencies")] == 1, reads
        assert reads[("xero", "GET", "api.xro/2.0/Invoices")] == 1, reads
        assert reads[("xero", "GET", "api.xro/2.0/Contacts")] == 1, reads
