"""Zoho Contacts <-> Xero contact persons end to end against the sandbox: one write per change, both ways."""

import pytest

from audit.models import AuditEntry
from sync import services
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def _insert(portal, module, **fields):
    [result] = portal.zoho.insert_records(module, [fields])
    assert result.ok, result
    return result.id


def _all_ways(portal):
    for direction in (ZOHO_TO_XERO, XERO_TO_ZOHO, ZOHO_TO_XERO, XERO_TO_ZOHO):
        for module in ("accounts", "contacts"):
            services.sync_records(portal.xero_organisation, module, direction, trigger="cron")


def _persons(portal, contact_id):
    [contact] = portal.xero.get_contacts_by_ids([contact_id])
    return contact["ContactPersons"]


def test_contacts_and_contact_persons_flow_both_ways_with_exactly_one_write_per_change(portal, sandbox):
    account = _insert(portal, "Accounts", Account_Name="Platypus Pty Ltd")
    ada = _insert(portal, "Contacts", First_Name="Ada", Last_Name="Lovelace", Email="ada@platypus.example",
                  Account_Name={"id": account})
    services.sync_records(portal.xero_organisation, "contacts", ZOHO_TO_XERO, trigger="cron")
    contact_id = RecordLink.objects.get(module="accounts", zoho_id=account).xero_id
    assert [(p["FirstName"], p["LastName"], p["EmailAddress"]) for p in _persons(portal, contact_id)] == [
        ("Ada", "Lovelace", "ada@platypus.example")]
    sandbox.reset_counters()
    _all_ways(portal)
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)

    # Zoho -> Xero update: one POST of the whole list.
    portal.zoho.update_records("Contacts", [{"id": ada, "Last_Name": "King"}])
    sandbox.reset_counters()
    _all_ways(portal)
    assert [p["LastName"] for p in _persons(portal, contact_id)] == ["King"]
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (1, 0)

    # Xero -> Zoho create: a person added in Xero becomes a Zoho contact under the account.
    persons = _persons(portal, contact_id) + [
        {"FirstName": "Grace", "LastName": "Hopper", "EmailAddress": "grace@platypus.example", "IncludeInEmails": True}]
    [saved] = portal.xero.save_contacts([{"ContactID": contact_id, "ContactPersons": persons}])
    assert saved.ok, saved.errors
    sandbox.reset_counters()
    _all_ways(portal)
    grace = RecordLink.objects.get(module="contacts", xero_id__startswith=contact_id, name__contains="Grace").zoho_id
    record = portal.zoho.get_record("Contacts", grace)
    assert (record["Last_Name"], record["Email"], record["Account_Name"]["id"]) == (
        "Hopper", "grace@platypus.example", account)
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)
    # The audit entry names the Xero contact the person belongs to (what a deep link can open).
    assert AuditEntry.objects.get(zoho_id=grace, direction="xero_to_zoho").xero_id == contact_id

    # Xero -> Zoho update.
    persons = [{**p, "LastName": "Hopper-Murray"} if p["FirstName"] == "Grace" else p
               for p in _persons(portal, contact_id)]
    portal.xero.save_contacts([{"ContactID": contact_id, "ContactPersons": persons}])
    sandbox.reset_counters()
    _all_ways(portal)
    assert portal.zoho.get_record("Contacts", grace)["Last_Name"] == "Hopper-Murray"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)
    assert len(_persons(portal, contact_id)) == 2
    assert not AuditEntry.objects.filter(status="failed").exists()


def test_a_zoho_contact_without_an_account_becomes_a_xero_contact_of_its_own(portal, sandbox):
    loner = _insert(portal, "Contacts", First_Name="Solo", Last_Name="Trader", Email="solo@example.com")
    services.sync_records(portal.xero_organisation, "contacts", ZOHO_TO_XERO, trigger="cron")
    [contact] = list(portal.xero.iter_contacts())
    assert (contact["Name"], contact["ContactNumber"], contact["EmailAddress"]) == (
        "Solo Trader", loner, "solo@example.com")
    entry = AuditEntry.objects.get(zoho_id=loner)
    assert entry.module == "contacts" and entry.status == "success" and entry.record_name == "Solo Trader"
    # It is not an account: Xero -> Zoho accounts leaves it alone, and nothing echoes.
    sandbox.reset_counters()
    _all_ways(portal)
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)
    assert not RecordLink.objects.filter(module="accounts").exists()
    # An update of that Xero contact reaches the Zoho contact once, and does not come back.
    portal.xero.save_contacts([{"ContactID": contact["ContactID"], "EmailAddress": "solo@trader.example"}])
    sandbox.reset_counters()
    _all_ways(portal)
    assert portal.zoho.get_record("Contacts", loner)["Email"] == "solo@trader.example"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)
    # And a Zoho change reaches Xero once.
    portal.zoho.update_records("Contacts", [{"id": loner, "Phone": "+61 2 5550 4321"}])
    sandbox.reset_counters()
    _all_ways(portal)
    [contact] = list(portal.xero.iter_contacts())
    assert {p.get("PhoneType"): p.get("PhoneNumber") for p in contact["Phones"]}.get("DEFAULT") == "+61 2 5550 4321"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (1, 0)
    assert not AuditEntry.objects.filter(status="failed").exists()


def test_deleted_zoho_contacts_leave_the_person_list_or_archive_their_own_contact_when_delete_is_on(portal):
    from sync.settings_services import module_settings

    account = _insert(portal, "Accounts", Account_Name="Echidna Ltd")
    person = _insert(portal, "Contacts", Last_Name="Member", Email="member@echidna.example",
                     Account_Name={"id": account})
    loner = _insert(portal, "Contacts", Last_Name="Loner", Email="loner@example.com")
    services.sync_records(portal.xero_organisation, "contacts", ZOHO_TO_XERO, trigger="cron")
    settings = module_settings(portal.xero_organisation, "contacts")
    settings.zoho_to_xero_delete = True
    settings.save()
    portal.zoho.delete_records("Contacts", [person, loner])
    services.sync_records(portal.xero_organisation, "contacts", ZOHO_TO_XERO, trigger="cron")
    contacts = {c["Name"]: c for c in portal.xero.iter_contacts(include_archived=True)}
    assert contacts["Loner"]["ContactStatus"] == "ARCHIVED"
    assert _persons(portal, contacts["Echidna Ltd"]["ContactID"]) == []
    assert AuditEntry.objects.filter(zoho_id=person, action="delete", status="success").exists()
    assert AuditEntry.objects.filter(zoho_id=loner, action="delete", status="success", module="contacts").exists()
