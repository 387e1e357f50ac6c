"""Invoices end to end against the sandbox: dependencies first, status rules, payments back, currencies, deletes."""

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from mapping.taxes import save_default_accounts
from sync import services
from sync.engine import messages
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink
from sync.settings_services import module_settings

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    save_default_accounts(portal.xero_organisation, {"invoices": "200", "products": "200"})
    return portal


def _insert(portal, module, **fields):
    [result] = portal.zoho.insert_records(module, [fields])
    assert result.ok, result
    return result.id


def _zoho_invoice(portal, *, status="Approved", currency=None, subject="Website build"):
    account = _insert(portal, "Accounts", Account_Name=f"Customer of {subject}")
    product = _insert(portal, "Products", Product_Name=f"Widget for {subject}", Product_Code=f"W-{abs(hash(subject)) % 10**6}",
                      Unit_Price=25)
    fields = {"Subject": subject, "Account_Name": {"id": account}, "Status": status,
              "Invoiced_Items": [{"Product_Name": {"id": product}, "Quantity": 2, "List_Price": 25}]}
    if currency:
        fields["Currency"] = currency
    return account, product, _insert(portal, "Invoices", **fields)


def _sync(portal, direction=ZOHO_TO_XERO, **kwargs):
    return services.sync_records(portal.xero_organisation, "invoices", direction, trigger="cron", **kwargs)


def _xero_invoice(portal, zoho_invoice_id):
    link = RecordLink.objects.get(module="invoices", zoho_id=zoho_invoice_id)
    [invoice] = portal.xero.get_invoices_by_ids([link.xero_id])
    return invoice


def _pay(portal, invoice, amount):
    portal.xero._write("PUT", "Payments", "Payments", [{
        "Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": amount,
        "Date": timezone.localdate().isoformat()}], key="test-payment")


def test_an_invoice_brings_its_account_and_product_first(portal):
    account, product, invoice_id = _zoho_invoice(portal)
    _sync(portal)
    contact_link = RecordLink.objects.get(module="accounts", zoho_id=account)
    item_link = RecordLink.objects.get(module="products", zoho_id=product)
    invoice = _xero_invoice(portal, invoice_id)
    assert invoice["Contact"]["ContactID"] == contact_link.xero_id
    assert invoice["Status"] == "AUTHORISED"
    [line] = invoice["LineItems"]
    assert line["ItemCode"] == item_link.xero_code and float(line["Quantity"]) == 2
    assert AuditEntry.objects.filter(module="invoices", status="success", action="create").count() == 1


def test_payments_flow_back_and_a_paid_invoice_is_never_pushed_to(portal, sandbox):
    _account, _product, invoice_id = _zoho_invoice(portal)
    _sync(portal)
    invoice = _xero_invoice(portal, invoice_id)
    _pay(portal, invoice, invoice["AmountDue"])
    _sync(portal, XERO_TO_ZOHO)
    assert portal.zoho.get_record("Invoices", invoice_id)["Status"] == "Paid"

    portal.zoho.update_records("Invoices", [{"id": invoice_id, "Subject": "Website build (changed)"}])
    sandbox.reset_counters()
    _sync(portal)
    assert writes(sandbox, "xero") == 0
    entry = AuditEntry.objects.filter(module="invoices", zoho_id=invoice_id).order_by("-created_at").first()
    assert entry.status == "skipped" and entry.message_key == messages.INVOICE_LOCKED
    assert "PAID" in entry.message


def test_a_currency_not_enabled_in_xero_is_a_clear_error(portal):
    _account, _product, invoice_id = _zoho_invoice(portal, currency="GBP", subject="Pound job")
    _sync(portal)
    entry = AuditEntry.objects.get(module="invoices", zoho_id=invoice_id)
    assert entry.status == "failed" and entry.message_key == messages.CURRENCY_NOT_ENABLED
    assert "GBP" in entry.message and "Demo Company" in entry.message
    assert not RecordLink.objects.filter(module="invoices").exists()


def test_a_currency_the_xero_organisation_has_enabled_is_accepted(portal):
    """The AU demo organisation lists AUD, EUR, NZD and USD under GET /Currencies (EUR: the demo Zoho CRM's)."""
    assert {c["Code"] for c in portal.xero.get_currencies()} == {"AUD", "EUR", "NZD", "USD"}
    _account, _product, invoice_id = _zoho_invoice(portal, currency="USD", subject="Dollar job")
    _account, _product, euro_id = _zoho_invoice(portal, currency="EUR", subject="Euro job")
    _sync(portal)
    for zoho_id, currency in ((invoice_id, "USD"), (euro_id, "EUR")):
        entry = AuditEntry.objects.get(module="invoices", zoho_id=zoho_id)
        assert entry.status == "success", entry.message
        assert _xero_invoice(portal, zoho_id)["CurrencyCode"] == currency


@pytest.mark.parametrize(
    ("zoho_status", "paid", "expected_status", "outcome"),
    [
        ("Created", False, "DELETED", "success"),
        ("Approved", False, "VOIDED", "success"),
        ("Approved", True, "PAID", "failed"),
    ],
)
def test_deleting_a_zoho_invoice_follows_the_xero_status(portal, zoho_status, paid, expected_status, outcome):
    _account, _product, invoice_id = _zoho_invoice(portal, status=zoho_status, subject=f"Job {zoho_status} {paid}")
    _sync(portal)
    invoice = _xero_invoice(portal, invoice_id)
    if paid:
        _pay(portal, invoice, invoice["AmountDue"])
    settings = module_settings(portal.xero_organisation, "invoices")
    settings.zoho_to_xero_delete = True
    settings.save()
    portal.zoho.delete_records("Invoices", [invoice_id])
    _sync(portal)
    assert _xero_invoice(portal, invoice_id)["Status"] == expected_status
    entry = AuditEntry.objects.filter(module="invoices", action="delete").get()
    assert entry.status == outcome


def test_a_voided_xero_invoice_deletes_the_zoho_invoice_when_delete_is_on(portal):
    _account, _product, invoice_id = _zoho_invoice(portal)
    _sync(portal)
    invoice = _xero_invoice(portal, invoice_id)
    portal.xero.save_invoices([{"InvoiceID": invoice["InvoiceID"], "Status": "VOIDED"}])
    settings = module_settings(portal.xero_organisation, "invoices")
    settings.xero_to_zoho_delete = True
    settings.save()
    _sync(portal, XERO_TO_ZOHO)
    assert portal.zoho.get_record("Invoices", invoice_id) is None


def test_an_invoice_made_in_xero_arrives_in_zoho_with_its_contact_and_item(portal, sandbox):
    [contact] = portal.xero.save_contacts([{"Name": "Xero Born Ltd"}], create_only=True)
    [item] = portal.xero.save_items([{"Code": "XB-1", "Name": "Xero born item",
                                      "SalesDetails": {"UnitPrice": 40, "AccountCode": "200"}}], create_only=True)
    [invoice] = portal.xero.save_invoices([{
        "Type": "ACCREC", "Contact": {"ContactID": contact.id}, "Status": "AUTHORISED", "Reference": "Made in Xero",
        "LineItems": [{"ItemCode": "XB-1", "Description": "Xero born item", "Quantity": 3, "UnitAmount": 40,
                       "AccountCode": "200"}]}], create_only=True)
    assert invoice.ok, invoice.errors
    sandbox.reset_counters()
    _sync(portal, XERO_TO_ZOHO)
    link = RecordLink.objects.get(module="invoices", xero_id=invoice.id)
    zoho_invoice = portal.zoho.get_record("Invoices", link.zoho_id)
    account_link = RecordLink.objects.get(module="accounts", xero_id=contact.id)
    product_link = RecordLink.objects.get(module="products", xero_id=item.id)
    assert zoho_invoice["Account_Name"]["id"] == account_link.zoho_id
    assert zoho_invoice["Subject"] == "Made in Xero" and zoho_invoice["Status"] == "Approved"
    [line] = zoho_invoice["Invoiced_Items"]
    assert line["Product_Name"]["id"] == product_link.zoho_id and float(line["Quantity"]) == 3
    assert not AuditEntry.objects.filter(status="failed").exists()
    # Coming back to Xero it is the same invoice: nothing is written.
    writes_before = writes(sandbox, "xero")
    _sync(portal)
    _sync(portal, XERO_TO_ZOHO)
    assert writes(sandbox, "xero") == writes_before


def test_an_overdue_xero_invoice_gets_a_status_the_zoho_picklist_has(portal):
    """The sandbox's Zoho Status picklist (Created, Approved, Delivered, Paid, Cancelled) has no "Overdue": an
    overdue Xero invoice arrives as Approved instead of being refused for an invalid picklist value."""
    [contact] = portal.xero.save_contacts([{"Name": "Late Payer Ltd"}], create_only=True)
    [item] = portal.xero.save_items([{"Code": "LP-1", "Name": "Late item",
                                      "SalesDetails": {"UnitPrice": 10, "AccountCode": "200"}}], create_only=True)
    [invoice] = portal.xero.save_invoices([{
        "Type": "ACCREC", "Contact": {"ContactID": contact.id}, "Status": "AUTHORISED", "Reference": "Overdue one",
        "Date": "2026-01-01", "DueDate": "2026-01-31",
        "LineItems": [{"ItemCode": "LP-1", "Description": "Late item", "Quantity": 1, "UnitAmount": 10,
                       "AccountCode": "200"}]}], create_only=True)
    assert invoice.ok, invoice.errors
    _sync(portal, XERO_TO_ZOHO)
    assert not AuditEntry.objects.filter(status="failed").exists(), list(
        AuditEntry.objects.filter(status="failed").values_list("provider_error", flat=True))
    link = RecordLink.objects.get(module="invoices", xero_id=invoice.id)
    assert portal.zoho.get_record("Invoices", link.zoho_id)["Status"] == "Approved"
