"""Acceptance 3: a cron run with nothing changed makes at most one API call per enabled module and direction
(the sandbox's counters); never two overlapping runs for one organisation; deletions and changes both ways."""

import pytest

from sync.engine.modules import MODULE_ORDER
from sync.models import RecordLink
from sync.settings_services import module_settings
from sync.trigger_models import CronClaim, Watermark
from sync.triggers import cron

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def _calls(sandbox):
    counters = sandbox.counters()
    return counters["xero"]["total"], counters["zoho"]["total"], counters


def test_a_cron_run_with_nothing_changed_makes_one_call_per_module_and_direction(portal, sandbox):
    sandbox.seed(zoho={"accounts": 6, "products": 4, "invoices": 3}, xero={"contacts": 3, "items": 2, "invoices": 0})
    cron.run_organisation(portal.organisation)  # first pass: everything, both ways
    assert RecordLink.objects.filter(module="accounts").count() == 6 + 3
    cron.run_organisation(portal.organisation)  # the echoes of the first pass's own writes
    sandbox.reset_counters()

    finished = cron.run_organisation(portal.organisation)

    xero_calls, zoho_calls, counters = _calls(sandbox)
    modules = len(MODULE_ORDER)  # accounts, contacts, products, invoices
    assert len(finished) == 2 * modules  # every module, both directions
    assert xero_calls <= modules and zoho_calls <= modules, counters  # at most one per module and direction
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)
    assert Watermark.objects.filter(last_run_at__isnull=False).count() == 2 * modules
    assert Watermark.objects.filter(since__isnull=False).count() >= 5  # Xero has no invoices: nothing to mark


def test_only_modules_with_cron_on_are_read(portal, sandbox):
    sandbox.seed(zoho={"accounts": 2, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    for module in ("contacts", "products", "invoices"):
        settings_row = module_settings(portal.xero_organisation, module)
        settings_row.cron = False
        settings_row.save()
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)  # the echoes of the first pass's writes to Zoho
    sandbox.reset_counters()
    cron.run_organisation(portal.organisation)
    xero_calls, zoho_calls, counters = _calls(sandbox)
    assert (xero_calls, zoho_calls) == (1, 1), counters
    assert "Products" not in str(counters["zoho"]["by_endpoint"])


def test_changes_and_deletions_arrive_incrementally(portal, sandbox):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    settings_row = module_settings(portal.xero_organisation, "accounts")
    settings_row.zoho_to_xero_delete = True
    settings_row.save()
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)
    [gone, changed, _kept] = sorted(RecordLink.objects.filter(module="accounts"), key=lambda link: link.zoho_id)
    portal.zoho.update_records("Accounts", [{"id": changed.zoho_id, "Phone": "+49 30 5550 0001"}])
    portal.zoho.delete_records("Accounts", [gone.zoho_id])
    sandbox.advance_clock(2)

    cron.run_organisation(portal.organisation)

    contacts = {c["ContactID"]: c for c in portal.xero.iter_contacts(include_archived=True)}
    assert contacts[gone.xero_id]["ContactStatus"] == "ARCHIVED"
    phones = {p.get("PhoneType"): p.get("PhoneNumber") for p in contacts[changed.xero_id].get("Phones", [])}
    assert phones.get("DEFAULT") == "+49 30 5550 0001"


def test_a_second_run_while_one_holds_the_claim_does_nothing(portal, sandbox):
    sandbox.seed(zoho={"accounts": 2, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    assert cron.claim(portal.organisation, "first-worker")
    sandbox.reset_counters()
    assert cron.run_organisation(portal.organisation, owner="second-worker") is None
    assert _calls(sandbox)[:2] == (0, 0)
    assert not RecordLink.objects.exists()
    cron.release(portal.organisation, "first-worker")
    assert cron.run_organisation(portal.organisation, owner="second-worker") is not None
    assert CronClaim.objects.get(organisation=portal.organisation).claimed_until is None


def test_the_xero_watermark_is_the_newest_change_read_to_the_millisecond(portal, sandbox):
    """Xero's times have milliseconds, If-Modified-Since whole seconds. The watermark used to be rounded up to the
    next second, so a change made later in the same second as the newest one read waited for the nightly run.
    It is now the exact time: the next pass asks from that second and drops what is not newer, so it reads
    nothing twice and misses nothing."""
    from sync.engine.fingerprint import parse_time

    sandbox.seed(zoho={"accounts": 0, "products": 0, "invoices": 0}, xero={"contacts": 3, "items": 0, "invoices": 0})
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)
    contacts = list(portal.xero.iter_contacts(include_archived=True))
    newest = max(parse_time(c["UpdatedDateUTC"]) for c in contacts)
    mark = Watermark.objects.get(xero_organisation=portal.xero_organisation, module="accounts",
                                 direction="xero_to_zoho")
    assert mark.since == newest

    finished = cron.run_organisation(portal.organisation)
    [run] = [r for r in finished if (r.module, r.direction) == ("accounts", "xero_to_zoho")]
    assert run.total == 0  # the newest contact, in the header's second, is not read again

    contact = contacts[0]
    portal.xero.save_contacts([{"ContactID": contact["ContactID"],
                                "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "+61 2 5550 1234"}]}])
    finished = cron.run_organisation(portal.organisation)
    [run] = [r for r in finished if (r.module, r.direction) == ("accounts", "xero_to_zoho")]
    assert run.total == 1 and run.done == 1
    link = RecordLink.objects.get(module="accounts", xero_id=contact["ContactID"])
    assert (portal.zoho.get_record("Accounts", link.zoho_id) or {}).get("Phone") == "+61 2 5550 1234"
