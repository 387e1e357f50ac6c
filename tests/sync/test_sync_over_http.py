"""End to end against the sandbox over HTTP: both directions, no echo, the name rule, deletes."""

import pytest

from audit.models import AuditEntry
from sync import services
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink
from sync.settings_services import module_settings

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def _zoho_account(portal, **fields):
    [result] = portal.zoho.insert_records("Accounts", [fields])
    assert result.ok, result
    return result.id


def _both_ways(portal):
    for direction in (ZOHO_TO_XERO, XERO_TO_ZOHO, ZOHO_TO_XERO, XERO_TO_ZOHO):
        services.sync_records(portal.xero_organisation, "accounts", direction, trigger="cron")


def _contacts(portal):
    return list(portal.xero.iter_contacts(include_archived=True))


def test_changes_on_either_side_arrive_on_the_other_with_exactly_one_write_each(portal, sandbox):
    zoho_id = _zoho_account(portal, Account_Name="Kookaburra Pty Ltd", Phone="+61 2 5550 1234",
                            Billing_City="Sydney")
    sandbox.reset_counters()
    _both_ways(portal)
    [contact] = _contacts(portal)
    assert contact["Name"] == "Kookaburra Pty Ltd" and contact["ContactNumber"] == zoho_id
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (1, 0)

    portal.zoho.update_records("Accounts", [{"id": zoho_id, "Phone": "+61 2 5550 9999"}])
    sandbox.reset_counters()
    _both_ways(portal)
    [contact] = _contacts(portal)
    phones = {p.get("PhoneType"): p.get("PhoneNumber") for p in contact.get("Phones", [])}
    assert phones.get("DEFAULT") == "+61 2 5550 9999"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (1, 0)

    portal.xero.save_contacts([{"ContactID": contact["ContactID"], "AccountNumber": "KOOK-1"}])
    sandbox.reset_counters()
    _both_ways(portal)
    account = portal.zoho.get_record("Accounts", zoho_id)
    assert account["Account_Number"] == "KOOK-1"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)

    [created] = portal.xero.save_contacts([{"Name": "Wombat Traders", "EmailAddress": "ap@wombat.example"}],
                                          create_only=True)
    sandbox.reset_counters()
    _both_ways(portal)
    link = RecordLink.objects.get(module="accounts", xero_id=created.id)
    assert portal.zoho.get_record("Accounts", link.zoho_id)["Account_Name"] == "Wombat Traders"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)

    portal.xero.save_contacts([{"ContactID": created.id, "AccountNumber": "WOMB-2"}])
    sandbox.reset_counters()
    _both_ways(portal)
    assert portal.zoho.get_record("Accounts", link.zoho_id)["Account_Number"] == "WOMB-2"
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)
    assert AuditEntry.objects.filter(module="accounts", status="success").count() == 5
    assert not AuditEntry.objects.filter(status="failed").exists()


def test_a_zoho_name_shared_by_two_accounts_gives_two_distinct_xero_contacts(portal):
    """Zoho CRM (and the sandbox, by default) lets two accounts share a name; Xero does not."""
    first = _zoho_account(portal, Account_Name="Acme")
    second = _zoho_account(portal, Account_Name="Acme", Phone="+49 30 1234")
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="historical")
    names = {c["ContactNumber"]: c["Name"] for c in _contacts(portal)}
    lower, higher = sorted([first, second], key=int)
    assert names == {lower: "Acme", higher: f"Acme ({higher})"}
    entry = AuditEntry.objects.get(zoho_id=higher)
    assert entry.status == "success" and f"Acme ({higher})" in entry.message
    # Back in Zoho both accounts keep their plain name.
    services.sync_records(portal.xero_organisation, "accounts", XERO_TO_ZOHO, trigger="cron")
    assert {portal.zoho.get_record("Accounts", i)["Account_Name"] for i in (first, second)} == {"Acme"}


def test_a_first_sync_matches_existing_xero_contacts_instead_of_duplicating(portal):
    zoho_id = _zoho_account(portal, Account_Name="Existing Co")
    portal.xero.save_contacts([{"Name": "Existing Co"}], create_only=True)
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="historical")
    [contact] = _contacts(portal)
    assert contact["ContactNumber"] == zoho_id
    entry = AuditEntry.objects.get(zoho_id=zoho_id)
    assert "same name" in entry.message


def test_a_deleted_zoho_account_archives_the_contact_when_delete_is_on(portal):
    zoho_id = _zoho_account(portal, Account_Name="Short Lived Ltd")
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="cron")
    settings = module_settings(portal.xero_organisation, "accounts")
    settings.zoho_to_xero_delete = True
    settings.save()
    portal.zoho.delete_records("Accounts", [zoho_id])
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="cron")
    [contact] = _contacts(portal)
    assert contact["ContactStatus"] == "ARCHIVED"
    assert AuditEntry.objects.filter(zoho_id=zoho_id, action="delete", status="success").exists()


def test_resync_of_a_failed_entry_writes_a_new_linked_entry(portal):
    zoho_id = _zoho_account(portal, Account_Name="X" * 10)
    settings = module_settings(portal.xero_organisation, "accounts")
    settings.zoho_to_xero_create = False
    settings.save()
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, ids=[zoho_id], trigger="on_save")
    first = AuditEntry.objects.get(zoho_id=zoho_id)
    assert first.status == "skipped"
    settings.zoho_to_xero_create = True
    settings.save()
    again = services.resync_entry(first)
    assert again.resync_of == first and again.status == "success" and again.action == "create"
    assert len(_contacts(portal)) == 1


def test_a_conflict_keeps_the_losing_values_in_the_audit_entry(portal):
    zoho_id = _zoho_account(portal, Account_Name="Both Sides Ltd", Account_Number="A-1")
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="cron")
    [contact] = _contacts(portal)
    portal.xero.save_contacts([{"ContactID": contact["ContactID"], "AccountNumber": "FROM-XERO"}])
    portal.zoho.update_records("Accounts", [{"id": zoho_id, "Account_Number": "FROM-ZOHO"}])
    settings = module_settings(portal.xero_organisation, "accounts")
    settings.conflict_policy = "zoho_wins"
    settings.save()
    services.sync_records(portal.xero_organisation, "accounts", ZOHO_TO_XERO, trigger="cron")
    services.sync_records(portal.xero_organisation, "accounts", XERO_TO_ZOHO, trigger="cron")
    assert _contacts(portal)[0]["AccountNumber"] == "FROM-ZOHO"
    assert portal.zoho.get_record("Accounts", zoho_id)["Account_Number"] == "FROM-ZOHO"
    entry = AuditEntry.objects.filter(module="accounts", action="update").get()
    assert entry.values_written["losing_values"] == {"AccountNumber": "FROM-XERO"}
    assert "Zoho CRM won" in entry.message
