"""One failure, one entry, one reason: Copy to Xero of an invoice whose product cannot go to Xero (its tax has no
Xero rate) blames the real cause, in the reader's language, once for the product and once for the invoice."""

import pytest
from django.utils import translation

from audit.models import AuditEntry, translate_message
from mapping import taxes
from sync.engine import messages
from sync.engine.executor import WriteResult
from sync.engine.operations import CREATE, Operation
from sync.triggers import copy

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def test_copying_an_invoice_whose_product_has_an_unmapped_tax_says_it_waits_for_the_product_because_of_the_tax(
        portal, sandbox):
    taxes.refresh_zoho_taxes(portal.organisation, portal.zoho)
    taxes.save_default_accounts(portal.xero_organisation, {"invoices": "200", "products": "200"})
    [account] = portal.zoho.insert_records("Accounts", [{"Account_Name": "Wombat Joinery"}])
    [product] = portal.zoho.insert_records("Products", [{"Product_Name": "Cable kit 48", "Product_Code": "CK-48",
                                                         "Unit_Price": 20, "Taxable": True, "Tax": ["GST"]}])
    [invoice] = portal.zoho.insert_records("Invoices", [{
        "Subject": "Wiring", "Account_Name": {"id": account.id}, "Status": "Created",
        "Invoiced_Items": [{"Product_Name": {"id": product.id}, "Quantity": 2, "List_Price": 20,
                            "Line_Tax": [{"name": "GST", "percentage": 10}]}]}])
    assert account.ok and product.ok and invoice.ok

    entries = copy.copy_record(portal.organisation, "invoices", invoice.id)

    failed = {entry.module: entry for entry in AuditEntry.objects.filter(status="failed")}
    assert set(failed) == {"products", "invoices"}  # one entry each: the product is not reported again
    assert AuditEntry.objects.filter(status="failed", module="products").count() == 1
    product_entry, invoice_entry = failed["products"], failed["invoices"]
    assert invoice_entry in entries
    assert invoice_entry.message_key == messages.WAITS_FOR_DEPENDENCY
    assert invoice_entry.message_params["reason"] == product_entry.message_key
    # the record it waits for, linked from the invoice's detail page
    assert invoice_entry.message_params["dependency_module"] == "products"
    assert invoice_entry.message_params["dependency_id"] == product_entry.zoho_id
    assert "not in Xero yet" not in invoice_entry.translated_message
    assert invoice_entry.translated_message.startswith('Waits for its product "Cable kit 48"')
    assert "The Zoho tax GST has no Xero tax rate. Map it under Mapping › Taxes." in invoice_entry.translated_message
    with translation.override("de"):
        german = invoice_entry.translated_message
    assert "Cable kit 48" in german and "Der Zoho-Steuer GST ist kein Xero-Steuersatz zugeordnet" in german
    assert "tax rate" not in german and "Waits" not in german
    assert writes(sandbox, "xero") == 1  # the account only


def test_a_provider_refusal_names_the_field_value_and_code_and_keeps_the_providers_words_out_of_the_message():
    operation = Operation(module="products", direction="xero_to_zoho", action=CREATE, source_id="item-1",
                          payload={"Product_Name": "Cable kit 48", "Product_Code": "CK-48"})
    operation.refused(WriteResult(ok=False, error_code="DUPLICATE_DATA", error_message="duplicate data", response={
        "code": "DUPLICATE_DATA", "details": {"api_name": "Product_Code"}, "message": "duplicate data"}))
    assert operation.message_key == messages.PROVIDER_DUPLICATE  # a duplicate says so
    assert operation.params == {"field": "Product_Code", "value": "CK-48", "code": "DUPLICATE_DATA"}
    assert operation.error_message == "duplicate data"  # for the entry's details
    with translation.override("fr"):
        french = translate_message(operation.message_key, {**operation.params, "target": "Zoho CRM"}, "")
    assert french.startswith("Zoho CRM a déjà un autre enregistrement avec la valeur « CK-48 » dans Product_Code "
                             "(erreur DUPLICATE_DATA")


def test_in_one_cron_run_a_failing_product_is_reported_once_and_each_invoice_once_says_it_waits_for_it(portal):
    from sync import services

    taxes.refresh_zoho_taxes(portal.organisation, portal.zoho)
    taxes.save_default_accounts(portal.xero_organisation, {"invoices": "200", "products": "200"})
    [account] = portal.zoho.insert_records("Accounts", [{"Account_Name": "Wombat Joinery"}])
    [product] = portal.zoho.insert_records("Products", [{"Product_Name": "Cable kit 48", "Product_Code": "CK-48",
                                                         "Unit_Price": 20, "Taxable": True, "Tax": ["GST"]}])
    invoices = portal.zoho.insert_records("Invoices", [{
        "Subject": f"Wiring {number}", "Account_Name": {"id": account.id}, "Status": "Created",
        "Invoiced_Items": [{"Product_Name": {"id": product.id}, "Quantity": 2, "List_Price": 20,
                            "Line_Tax": [{"name": "GST", "percentage": 10}]}]} for number in range(4)])
    assert all(result.ok for result in invoices)

    for _cycle in range(2):  # two cron runs: the second adds no entry, it marks them checked again
        services.sync_records(portal.xero_organisation, "invoices", "zoho_to_xero", trigger="cron")
        failed = AuditEntry.objects.filter(status="failed")
        assert failed.filter(module="products").count() == 1
        assert failed.filter(module="invoices").count() == 4
        assert len({entry.zoho_id for entry in failed.filter(module="invoices")}) == 4
    for entry in failed.filter(module="invoices"):
        assert entry.message_key == messages.WAITS_FOR_DEPENDENCY
        assert entry.message_params["dependency_id"] == product.id
        with translation.override("fr"):
            assert "Cable kit 48" in entry.translated_message and entry.translated_message.endswith(".")
