"""A contact person whose Zoho account was deleted while Delete is off (found by the soak, seed 23): the account's
link closes and its Xero contact stays, and so do the account's Zoho contacts. A later edit of such a Zoho
contact must still reach its person in the Xero contact it lives in; it failed with "account not linked", and
Zoho and Xero disagreed for good (the nightly reconciliation failed it again every night)."""

import pytest

from audit.models import AuditEntry
from sync.models import LinkState, RecordLink
from sync.triggers import cron

from .portal_setup import connect, start_syncing


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return connect(sandbox, owner_client, organisation, owner, settings)


def _persons(portal, contact_id):
    [contact] = portal.xero.get_contacts_by_ids([contact_id])
    return [(p.get("FirstName"), p.get("LastName")) for p in contact.get("ContactPersons") or []]


def test_a_zoho_contact_of_a_deleted_account_still_updates_its_xero_contact_person(portal, organisation):
    start_syncing(portal)
    [account] = portal.zoho.insert_records("Accounts", [{"Account_Name": "Echidna Ltd"}])
    [person] = portal.zoho.insert_records("Contacts", [{
        "First_Name": "Ben", "Last_Name": "Walker7", "Email": "ben.walker7@example.com",
        "Account_Name": {"id": account.id}}])
    cron.run_organisation(organisation)
    contact_id = RecordLink.objects.get(module="accounts", zoho_id=account.id).xero_id
    assert _persons(portal, contact_id) == [("Ben", "Walker7")]

    assert portal.zoho.delete_records("Accounts", [account.id])[0].ok
    cron.run_organisation(organisation, full=True)  # the reconciliation reads the deletion: Delete is off
    assert RecordLink.objects.get(module="accounts", zoho_id=account.id).state == LinkState.DELETED
    assert _persons(portal, contact_id) == [("Ben", "Walker7")]  # the contact and its person are kept

    assert portal.zoho.update_records("Contacts", [{"id": person.id, "First_Name": "Chloe"}])[0].ok
    cron.run_organisation(organisation)
    entries = [(e.direction, e.action, e.status, e.message) for e in AuditEntry.objects.filter(zoho_id=person.id)]
    assert _persons(portal, contact_id) == [("Chloe", "Walker7")], entries
    assert not AuditEntry.objects.filter(zoho_id=person.id, status="failed").exists(), entries
    written = AuditEntry.objects.filter(zoho_id=person.id, direction="zoho_to_xero", action="update").count()
    cron.run_organisation(organisation, full=True)  # and nothing more to write
    assert AuditEntry.objects.filter(zoho_id=person.id, direction="zoho_to_xero", action="update").count() == written
