"""Acceptance 3 of issue 13: on a messy world, the Historical Sync dry run's counts per module and action equal
what the job then does, because the dry run checks Zoho-bound payloads exactly as the job does (the planner's
Zoho checks), before anything is written.

The world: two Xero organisations (the sandbox's AU and UK demo companies, seeded with the same customer names,
items and invoices with lines without an item, an item of its own each and an invoice mixing an item line with an item-less
line of account 200) and one empty Zoho CRM. AU chose a Zoho product for lines of account 260 only, UK chose none,
so the invoices with other item-less lines are refused with a message saying what to choose. Each
organisation also has a deliberately unmappable contact (a name longer than Zoho's 200 characters) with an
invoice that then waits on it. AU syncs first; UK then meets AU's records in Zoho."""

from collections import Counter

import pytest

from audit.models import AuditEntry
from connections import services as connection_services
from connections.models import XeroOrganisation, ZohoConnection
from connections.providers.xero.client import XeroClient
from connections.providers.zoho.client import ZohoClient
from mapping import services as mapping_services
from mapping import taxes
from sync.engine import messages
from sync.triggers import historical
from tests.connections.sandbox_flows import connect_xero, connect_zoho

from .portal_setup import XERO_EMAIL, XERO_PASSWORD, writes

LONG_NAME = "Unmappable " + "Very Long Trading Name " * 9  # 218 characters: Xero takes 255, Zoho 200


@pytest.fixture
def world(sandbox, owner_client, organisation, owner, settings):
    settings.XERO_RATE_LIMIT_PER_WINDOW = 100_000
    sandbox.configure(xero={"minute_limit": 100_000, "day_limit": 1_000_000, "concurrent_limit": 50},
                      zoho={"concurrency": 50, "daily_credits": 10_000_000})
    # The seed gives both organisations the same customers and invoices whose lines have no item (account 260).
    sandbox.seed(xero={"contacts": 5, "items": 0, "invoices": 6}, zoho={"accounts": 0, "products": 0, "invoices": 0})
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=2)
    connect_zoho(owner_client, dc="eu")
    connection_services.accept_terms(organisation, owner)
    zoho = ZohoClient(ZohoConnection.objects.get(organisation=organisation))
    mapping_services.refresh_zoho_fields(organisation, zoho)
    product = zoho.insert_records("Products", [{"Product_Name": "Item-less line"}])[0]
    organisations = list(XeroOrganisation.objects.filter(organisation=organisation).order_by("tenant_name"))
    assert len(organisations) == 2
    for xero_organisation in organisations:
        xero = XeroClient(xero_organisation)
        taxes.refresh_xero_reference(xero_organisation, xero)
        code = xero_organisation.tenant_name[-3:-1]  # AU, UK: items of their own (same-named items are matched
        items = xero.save_items([{"Code": f"{code}-CABLE", "Name": f"Cable kit {code}"}])  # by the engine's rules)
        assert items[0].ok, items[0].errors
        contact = next(iter(xero.iter_contacts()))["ContactID"]
        mixed = xero.save_invoices([{"Type": "ACCREC", "Contact": {"ContactID": contact}, "Date": "2026-11-03",
                                     "DueDate": "2026-12-03", "Status": "DRAFT", "LineItems": [
                                         {"ItemCode": f"{code}-CABLE", "Quantity": 2, "UnitAmount": 30},
                                         {"Description": "Call-out fee", "Quantity": 1, "UnitAmount": 80,
                                          "AccountCode": "200"}]}])[0]
        assert mixed.ok, mixed.errors
        unmappable = xero.save_contacts([{"Name": LONG_NAME}])[0]
        assert unmappable.ok, unmappable.errors
        waiting = xero.save_invoices([{"Type": "ACCREC", "Contact": {"ContactID": unmappable.id},
                                       "Date": "2026-11-02", "DueDate": "2026-12-02", "Status": "DRAFT",
                                       "LineItems": [{"Description": "Consulting", "Quantity": 1,
                                                      "UnitAmount": 100, "AccountCode": "200"}]}])[0]
        assert waiting.ok, waiting.errors
    au = organisations[0]
    taxes.save_line_products(au, {"260": {"id": product.id, "name": "Item-less line"}})
    return organisations


def _job_outcomes(xero_organisation) -> dict:
    """{module: Counter of create / update / refuse (with reasons)} of the job's audit entries."""
    outcomes = {}
    for entry in AuditEntry.objects.filter(xero_tenant_id=xero_organisation.tenant_id, trigger="historical"):
        outcome = {"create": "create", "update": "update"}.get(entry.action, entry.action)
        if entry.status == "failed":
            outcome = f"refuse|{entry.message_key}"
        outcomes.setdefault(entry.module, Counter())[outcome] += 1
    return outcomes


def _planned(job) -> dict:
    planned = {}
    for module, counts in job.dry_run.items():
        tally = Counter({"create": counts["create"], "update": counts["update"]})
        for key, number in counts["reasons"].items():
            outcome, _, reason = key.partition("|")
            if outcome == "refuse":
                tally[f"refuse|{reason}"] += number
        planned[module] = +tally
    return planned


def _run(job):
    for _ in range(1_000):
        if historical.work(job.pk, slice_seconds=0) != "more":
            return
    raise AssertionError("the job never finished")


def test_the_dry_run_counts_per_module_and_action_equal_the_jobs_outcomes_in_both_organisations(world, sandbox):
    for xero_organisation in world:
        sandbox.reset_counters()
        job = historical.create_job(xero_organisation, modules=["invoices"], direction="xero_to_zoho")
        job = historical.plan(job.pk)
        assert writes(sandbox, "zoho") == 0  # the dry run writes nothing
        planned = _planned(job)
        historical.start(job)
        _run(job)
        done = {module: +counts for module, counts in _job_outcomes(xero_organisation).items()}
        assert {m: +Counter({k: v for k, v in c.items() if k in ("create", "update") or k.startswith("refuse")})
                for m, c in done.items()} == {m: c for m, c in planned.items() if c}, job.dry_run
        refused = planned["invoices"]
        assert refused[f"refuse|{messages.WAITS_FOR_CONTACT}"] == 1  # the invoice of the unmappable contact
        assert planned["accounts"][f"refuse|{messages.ZOHO_VALUE_TOO_LONG}"] == 1
        itemless = refused[f"refuse|{messages.ITEMLESS_LINE_NO_PRODUCT}"]
        if xero_organisation == world[0]:  # AU: only the mixed invoice's line of account 200 has no product
            assert itemless == 1 and planned["invoices"]["create"] >= 4, job.dry_run
        else:  # UK chose no product: every invoice with an item-less line is refused
            assert itemless >= 5 and planned["invoices"]["create"] == 0, job.dry_run

