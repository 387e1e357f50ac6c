"""Xero's duplicate refusals name and link the record that already holds the value (as Zoho's DUPLICATE_DATA
does): an item Code in use, a contact Name in use among active contacts, a sales invoice number in use. Xero
says only the value, in English; the gateway looks the holder up (sync.xero_duplicates). Against the sandbox,
whose Xero answers with the Accounting API's messages."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from sync import services
from sync.engine import messages
from sync.engine.modules import ZOHO_TO_XERO
from sync.gateways import XeroGateway
from sync.models import RecordLink

from .portal_setup import connect, start_syncing


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    from mapping.taxes import save_default_accounts

    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    save_default_accounts(portal.xero_organisation, {"products": "200", "invoices": "200"})
    return portal


def _ok(results):
    assert all(result.ok for result in results), [result.errors for result in results]
    return [result.id for result in results]


def test_the_gateway_finds_the_contact_item_and_invoice_holding_a_refused_value(portal):
    harbour, acme = _ok(portal.xero.save_contacts([{"Name": "Harbour Traders"}, {"Name": "Acme Traders"}],
                                                  create_only=True))
    _ok(portal.xero.save_contacts([{"Name": "Old Mill", "ContactStatus": "ARCHIVED"}], create_only=True))
    [item] = _ok(portal.xero.save_items([{"Code": "CK-48", "Name": "Cable kit 48"}], create_only=True))
    [invoice] = _ok(portal.xero.save_invoices([{
        "Type": "ACCREC", "Contact": {"ContactID": harbour}, "InvoiceNumber": "INV-7001", "Date": "2026-11-20",
        "LineItems": [{"Description": "Survey", "Quantity": 1, "UnitAmount": 120, "AccountCode": "200"}]}]))
    gateway = XeroGateway(portal.xero)

    created = gateway.create("accounts", [("1", {"Name": "harbour traders"}), ("2", {"Name": "Old Mill"})])
    assert not created[0].ok and "is already assigned to another contact" in created[0].error_message
    assert (created[0].conflict_id, created[0].conflict_name) == (harbour, "Harbour Traders")
    assert created[1].ok and not created[1].conflict_id  # an archived contact's name is free
    renamed = gateway.update("accounts", [("3", acme, {"Name": "Harbour Traders"})])
    assert not renamed[0].ok and renamed[0].conflict_id == harbour  # the other contact, not the one updated

    [coded] = gateway.create("products", [("4", {"Code": "ck-48", "Name": "Another cable kit"})])
    assert "Price List Item with Code" in coded.error_message
    assert (coded.conflict_id, coded.conflict_name) == (item, "Cable kit 48")

    [numbered] = gateway.create("invoices", [("5", {
        "Type": "ACCREC", "Contact": {"ContactID": acme}, "InvoiceNumber": "INV-7001", "Date": "2026-11-21",
        "LineItems": [{"Description": "Labour", "Quantity": 1, "UnitAmount": 90, "AccountCode": "200"}]})])
    assert numbered.error_message == "Invoice # must be unique."  # the number is not in Xero's message
    assert (numbered.conflict_id, numbered.conflict_name) == (invoice, "INV-7001 (Harbour Traders)")


def test_a_product_refused_for_a_code_another_item_holds_links_that_item_in_its_audit_entry(portal, owner_client):
    [first] = portal.zoho.insert_records("Products", [{"Product_Name": "Cable kit", "Product_Code": "CK-1"}])
    services.sync_records(portal.xero_organisation, "products", ZOHO_TO_XERO, trigger="cron")
    item_id = RecordLink.objects.get(module="products", zoho_id=first.id).xero_id
    # In Xero someone gives the linked item another code, which a new Zoho product then uses.
    _ok(portal.xero.save_items([{"ItemID": item_id, "Code": "CK-2"}]))
    [second] = portal.zoho.insert_records("Products", [{"Product_Name": "Cable kit, long", "Product_Code": "CK-2"}])
    services.sync_records(portal.xero_organisation, "products", ZOHO_TO_XERO, trigger="cron")

    entry = AuditEntry.objects.get(module="products", zoho_id=second.id)
    assert (entry.status, entry.message_key) == ("failed", messages.PROVIDER_DUPLICATE)
    assert entry.message_params["value"] == "CK-2" and entry.message_params["field"] == "Item code"
    assert (entry.message_params["conflict_id"], entry.message_params["conflict_name"]) == (item_id, "Cable kit")
    assert "Price List Item with Code" in entry.provider_error  # Xero's words: in the details only
    html = owner_client.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert 'data-testid="conflict-name">Cable kit<' in html
    assert f"/Accounts/Inventory/{item_id}" in html and 'data-testid="conflict-link"' in html
