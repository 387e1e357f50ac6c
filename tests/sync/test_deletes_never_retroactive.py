"""Deletes are never retroactive, in both directions (issue 18, acceptance 2): records deleted while Delete is off
are not deleted when it is switched on later, each gets one audit entry, and deletions made after it is on are
applied. Cron passes against the sandbox over HTTP."""

import time

import pytest

from audit.models import AuditEntry
from mapping import taxes
from sync.engine import messages
from sync.models import RecordLink
from sync.settings_services import module_settings
from sync.triggers import cron

from .portal_setup import connect, start_syncing

SKIPPED_DELETES = (messages.DELETE_OFF, messages.DELETE_WAS_OFF)


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    sandbox.reset_clock()  # deletion times are compared with the moment Delete goes on: the sandbox on real time
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def _next_second():
    """Deletion times have a resolution of one second, and one in the second Delete goes on counts as after it:
    switch it on in a later second than the deletions meant to be "while off"."""
    time.sleep(1.05)


def _switch_delete(portal, direction, modules, on=True):
    for module in modules:
        row = module_settings(portal.xero_organisation, module)
        setattr(row, f"{direction}_delete", on)
        row.save()


def _skipped_deletes(direction):
    return sorted(AuditEntry.objects.filter(direction=direction, message_key__in=SKIPPED_DELETES)
                  .values_list("module", "zoho_id" if direction == "zoho_to_xero" else "xero_id"))


def _links(module):
    return sorted(RecordLink.objects.filter(module=module), key=lambda link: link.zoho_id)


def test_zoho_deletions_made_while_delete_was_off_are_reported_once_and_never_applied(portal, sandbox):
    sandbox.seed(zoho={"accounts": 3, "products": 3, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    taxes.refresh_zoho_taxes(portal.organisation, portal.zoho)
    taxes.save_tax_mappings(portal.xero_organisation, {"GST": "OUTPUT", "NZ GST": "OUTPUT", "VAT": "OUTPUT",
                                                       "Zero Rated": "EXEMPTOUTPUT"})
    taxes.save_default_accounts(portal.xero_organisation, {"products": "200"})
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)  # the echoes of the first pass
    [old_account, new_account, _kept] = _links("accounts")
    old_product, new_product = _links("products")[:2]  # the seed leaves one product without a code
    portal.zoho.delete_records("Accounts", [old_account.zoho_id])
    portal.zoho.delete_records("Products", [old_product.zoho_id])
    cron.run_organisation(portal.organisation)  # Delete is off: nothing happens in Xero
    _next_second()

    _switch_delete(portal, "zoho_to_xero", ("accounts", "products"))
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)

    contacts = {c["ContactID"]: c for c in portal.xero.iter_contacts(include_archived=True)}
    assert contacts[old_account.xero_id]["ContactStatus"] == "ACTIVE"
    items = {item["ItemID"] for item in portal.xero.get_items()}
    assert old_product.xero_id in items
    assert _skipped_deletes("zoho_to_xero") == sorted([("accounts", old_account.zoho_id),
                                                       ("products", old_product.zoho_id)])

    sandbox.advance_clock(2)  # deleted after Delete went on
    portal.zoho.delete_records("Accounts", [new_account.zoho_id])
    portal.zoho.delete_records("Products", [new_product.zoho_id])
    cron.run_organisation(portal.organisation)

    contacts = {c["ContactID"]: c for c in portal.xero.iter_contacts(include_archived=True)}
    assert contacts[new_account.xero_id]["ContactStatus"] == "ARCHIVED"
    assert contacts[old_account.xero_id]["ContactStatus"] == "ACTIVE"
    items = {item["ItemID"] for item in portal.xero.get_items()}
    assert new_product.xero_id not in items and old_product.xero_id in items
    assert len(_skipped_deletes("zoho_to_xero")) == 2


def test_xero_deletions_made_while_delete_was_off_are_reported_once_and_never_applied(portal, sandbox):
    sandbox.seed(zoho={"accounts": 0, "products": 0, "invoices": 0}, xero={"contacts": 3, "items": 0, "invoices": 0})
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)
    [seen_off, unseen_off, later] = sorted(RecordLink.objects.filter(module="accounts"), key=lambda link: link.xero_id)
    portal.xero.archive_contacts([seen_off.xero_id])
    cron.run_organisation(portal.organisation)  # seen while Delete is off: reported
    # A later second than the archive the cron just read: the cron's Xero watermark moves to the next whole second
    # after the newest change it read, so a change within that same second waits for the nightly full run.
    _next_second()
    portal.xero.archive_contacts([unseen_off.xero_id])  # archived while off, first seen once Delete is on
    _next_second()

    _switch_delete(portal, "xero_to_zoho", ("accounts",))
    cron.run_organisation(portal.organisation)
    cron.run_organisation(portal.organisation)

    accounts = {str(r["id"]) for r in portal.zoho.iter_records("Accounts", ["Account_Name"])}
    assert {seen_off.zoho_id, unseen_off.zoho_id} <= accounts
    assert _skipped_deletes("xero_to_zoho") == sorted([("accounts", seen_off.xero_id),
                                                       ("accounts", unseen_off.xero_id)])
    entries = dict(AuditEntry.objects.filter(direction="xero_to_zoho", message_key__in=SKIPPED_DELETES)
                   .values_list("xero_id", "message_key"))
    assert entries == {seen_off.xero_id: messages.DELETE_OFF, unseen_off.xero_id: messages.DELETE_WAS_OFF}

    sandbox.advance_clock(2)
    portal.xero.archive_contacts([later.xero_id])
    cron.run_organisation(portal.organisation)

    accounts = {str(r["id"]) for r in portal.zoho.iter_records("Accounts", ["Account_Name"])}
    assert later.zoho_id not in accounts
    assert {seen_off.zoho_id, unseen_off.zoho_id} <= accounts
    assert len(_skipped_deletes("xero_to_zoho")) == 2
