"""The transform under the default mappings, with sandbox-shaped records, and each transform kind."""

import pytest

from mapping.defaults import default_mapping
from mapping.transform import (
    InvalidValue,
    UnresolvedLookup,
    contact_person,
    fingerprint,
    to_xero,
    to_zoho,
)
from tests.mapping import records as r

Z2X, X2Z = "zoho_to_xero", "xero_to_zoho"


def test_a_zoho_account_becomes_a_xero_contact_with_typed_phones_and_addresses():
    payload = to_xero("accounts", default_mapping("accounts", Z2X), r.ZOHO_ACCOUNT, r.resolver())
    assert payload == {
        "Name": "Acme Pty Ltd",
        "AccountNumber": "ACME-001",
        "ContactNumber": r.ACCOUNT_ID,
        "Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "+61 2 9999 0000"},
            {"PhoneType": "FAX", "PhoneNumber": "+61 2 9999 0001"},
        ],
        "Addresses": [
            {
                "AddressType": "POBOX",
                "AddressLine1": "PO Box 12",
                "City": "Sydney",
                "Region": "NSW",
                "PostalCode": "2000",
                "Country": "Australia",
            },
            {
                "AddressType": "STREET",
                "AddressLine1": "1 George Street",
                "City": "Sydney",
                "Region": "NSW",
                "PostalCode": "2000",
                "Country": "Australia",
            },
        ],
    }
    assert "Website" not in payload  # read-only in Xero


def test_a_xero_contact_becomes_a_zoho_account_ignoring_empty_phones():
    record = to_zoho("accounts", default_mapping("accounts", X2Z), r.XERO_CONTACT, r.resolver())
    assert record == {
        "Account_Name": "Acme Pty Ltd",
        "Account_Number": "ACME-001",
        "Phone": "+61 2 9999 0000",
        "Fax": "+61 2 9999 0001",
        "Website": "https://acme.example",
        "Billing_Street": "PO Box 12",
        "Billing_City": "Sydney",
        "Billing_State": "NSW",
        "Billing_Code": "2000",
        "Billing_Country": "Australia",
        "Shipping_Street": "1 George Street",
        "Shipping_City": "Sydney",
        "Shipping_State": "NSW",
        "Shipping_Code": "2000",
        "Shipping_Country": "Australia",
    }


def test_a_zoho_contact_of_an_account_becomes_a_contact_person():
    payload = to_xero("contacts", default_mapping("contacts", Z2X), r.ZOHO_CONTACT, r.resolver())
    assert contact_person(payload) == {
        "FirstName": "Peter",
        "LastName": "Gibbons",
        "EmailAddress": "peter@acme.example",
        "IncludeInEmails": True,
    }


def test_a_zoho_contact_without_an_account_becomes_a_xero_contact_of_its_own():
    payload = to_xero("contacts", default_mapping("contacts", Z2X), r.ZOHO_LONE_CONTACT, r.resolver())
    assert payload == {
        "Name": "Milton Waddams",
        "FirstName": "Milton",
        "LastName": "Waddams",
        "EmailAddress": "milton@example.org",
        "IncludeInEmails": False,  # Email_Opt_Out is true
        "ContactNumber": r.LONE_CONTACT_ID,
    }


def test_a_xero_contact_person_becomes_a_zoho_contact():
    person = r.XERO_CONTACT["ContactPersons"][0]
    assert to_zoho("contacts", default_mapping("contacts", X2Z), person, r.resolver()) == {
        "First_Name": "Peter",
        "Last_Name": "Gibbons",
        "Email": "peter@acme.example",
        "Email_Opt_Out": False,
    }


def test_a_xero_contact_without_person_names_gives_the_zoho_contact_its_name_as_last_name():
    record = to_zoho("contacts", default_mapping("contacts", X2Z), {"Name": "Bob Slydell"}, r.resolver())
    assert record == {"Last_Name": "Bob Slydell"}


def test_a_zoho_product_becomes_a_xero_item_with_sales_details():
    payload = to_xero("products", default_mapping("products", Z2X), r.ZOHO_PRODUCT, r.resolver())
    assert payload == {
        "Code": "STAPLER-RED",
        "Name": "Red Stapler",
        "Description": "A red Swingline stapler",
        "SalesDetails": {"UnitPrice": 24.5, "TaxType": "OUTPUT", "AccountCode": "200"},
    }


def test_a_product_name_longer_than_xero_allows_is_truncated_to_50_characters():
    product = {**r.ZOHO_PRODUCT, "Product_Name": "S" * 80}
    assert to_xero("products", default_mapping("products", Z2X), product, r.resolver())["Name"] == "S" * 50


def test_a_xero_item_becomes_a_zoho_product_with_its_tax():
    record = to_zoho("products", default_mapping("products", X2Z), r.XERO_ITEM, r.resolver())
    assert record == {
        "Product_Code": "STAPLER-RED",
        "Product_Name": "Red Stapler",
        "Description": "A red Swingline stapler",
        "Unit_Price": 24.5,
        "Tax": [{"value": "GST", "id": "4876876000000200001"}],
    }


def test_a_zoho_invoice_becomes_an_accrec_invoice_with_line_items():
    payload = to_xero("invoices", default_mapping("invoices", Z2X), r.ZOHO_INVOICE, r.resolver())
    assert payload == {
        "Type": "ACCREC",
        "Contact": {"ContactID": r.XERO_CONTACT_ID},
        "InvoiceNumber": "INV-000042",
        "Reference": "Staplers for the basement",
        "Date": "2026-11-20",
        "DueDate": "2026-12-20",
        "CurrencyCode": "AUD",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "ItemCode": "STAPLER-RED",
                "Quantity": 2,
                "DiscountAmount": 0,
                "Description": "Red stapler",
                "UnitAmount": 24.5,
                "TaxType": "OUTPUT",
                "AccountCode": "200",
            }
        ],
    }


def test_an_invoice_of_a_contact_without_account_goes_to_that_contacts_xero_contact():
    invoice = {
        **r.ZOHO_INVOICE,
        "Account_Name": None,
        "Contact_Name": {"id": r.LONE_CONTACT_ID, "name": "Milton"},
    }
    payload = to_xero("invoices", default_mapping("invoices", Z2X), invoice, r.resolver())
    assert payload["Contact"] == {"ContactID": r.XERO_LONE_CONTACT_ID}


def test_an_invoice_whose_account_is_not_in_xero_yet_asks_to_sync_it_first():
    with pytest.raises(UnresolvedLookup) as error:
        to_xero("invoices", default_mapping("invoices", Z2X), r.ZOHO_INVOICE, r.resolver(links={}))
    assert "Acme Pty Ltd" in error.value.message
    assert "Sync it first" in error.value.message


def test_a_line_tax_without_a_xero_rate_is_reported_by_name():
    with pytest.raises(UnresolvedLookup) as error:
        to_xero("invoices", default_mapping("invoices", Z2X), r.ZOHO_INVOICE, r.resolver(tax_types={}))
    assert "GST" in error.value.message


def test_a_line_without_description_takes_the_product_name():
    invoice = {
        **r.ZOHO_INVOICE,
        "Invoiced_Items": [{**r.ZOHO_INVOICE["Invoiced_Items"][0], "Description": ""}],
    }
    payload = to_xero("invoices", default_mapping("invoices", Z2X), invoice, r.resolver())
    assert payload["LineItems"][0]["Description"] == "Red Stapler"


def test_the_line_amount_type_follows_the_organisations_tax_mode():
    payload = to_xero(
        "invoices", default_mapping("invoices", Z2X), r.ZOHO_INVOICE, r.resolver(tax_mode="Inclusive")
    )
    assert payload["LineAmountTypes"] == "Inclusive"


def test_a_xero_invoice_becomes_a_zoho_invoice_with_invoiced_items():
    record = to_zoho("invoices", default_mapping("invoices", X2Z), r.XERO_INVOICE, r.resolver())
    assert record == {
        "Account_Name": {"id": r.ACCOUNT_ID},
        "Subject": "INV-0007",  # no Reference: the invoice number stands in (Subject is mandatory in Zoho)
        "Invoice_Date": "2026-11-20",
        "Due_Date": "2026-12-20",
        "Currency": "AUD",
        "Status": "Paid",
        "Invoiced_Items": [
            {
                "Product_Name": {"id": r.PRODUCT_ID},
                "Description": "Red stapler",
                "Quantity": 2,
                "List_Price": 24.5,
                "Line_Tax": [{"name": "GST", "percentage": 10.0, "id": "4876876000000200001"}],
            }
        ],
    }


def _one_rule(rule, module="accounts"):
    return {"version": 1, "rules": [rule]}


def test_a_constant_fills_the_field_whatever_the_record_says():
    mapping = _one_rule({"xero": "AccountNumber", "constant": "WEB"})
    assert to_xero("accounts", mapping, r.ZOHO_ACCOUNT, r.resolver()) == {"AccountNumber": "WEB"}
    assert to_zoho(
        "accounts",
        {"rules": [{"xero": "AccountNumber", "zoho": "Account_Type", "constant": "Customer"}]},
        {},
        r.resolver(),
    ) == {"Account_Type": "Customer"}


def test_join_glues_fields_and_splits_them_back():
    rule = {
        "xero": "Name",
        "zoho": ["First_Name", "Last_Name"],
        "transform": {"kind": "join", "separator": " / "},
    }
    payload = to_xero("contacts", _one_rule(rule), r.ZOHO_CONTACT, r.resolver())
    assert payload == {"Name": "Peter / Gibbons"}
    assert to_zoho("contacts", _one_rule(rule), payload, r.resolver()) == {
        "First_Name": "Peter",
        "Last_Name": "Gibbons",
    }


def test_a_date_format_turns_a_date_into_text_and_back():
    rule = {"xero": "Reference", "zoho": "Invoice_Date", "transform": {"kind": "date", "format": "%d.%m.%Y"}}
    payload = to_xero("invoices", _one_rule(rule), r.ZOHO_INVOICE, r.resolver())
    assert payload == {"Reference": "20.11.2026"}
    assert to_zoho("invoices", _one_rule(rule), payload, r.resolver()) == {"Invoice_Date": "2026-11-20"}


def test_a_date_format_reads_a_text_field_into_a_xero_date():
    rule = {"xero": "DueDate", "zoho": "Purchase_Order", "transform": {"kind": "date", "format": "%d/%m/%Y"}}
    payload = to_xero("invoices", _one_rule(rule), {"Purchase_Order": "31/12/2026"}, r.resolver())
    assert payload == {"DueDate": "2026-12-31"}


def test_xero_ms_json_dates_become_zoho_dates():
    rule = {"xero": "Date", "zoho": "Invoice_Date"}
    assert to_zoho("invoices", _one_rule(rule), {"Date": "/Date(1795132800000+0000)/"}, r.resolver()) == {
        "Invoice_Date": "2026-11-20"
    }


def test_a_number_format_reads_german_numbers_and_rounding_uses_half_up():
    rule = {
        "xero": "SalesDetails.UnitPrice",
        "zoho": "Description",
        "transform": {"kind": "number", "decimal": ",", "thousands": ".", "places": 2},
    }
    assert to_xero("products", _one_rule(rule), {"Description": "1.234,565"}, r.resolver()) == {
        "SalesDetails": {"UnitPrice": 1234.57}
    }
    assert to_zoho("products", _one_rule(rule), {"SalesDetails": {"UnitPrice": 1234.5}}, r.resolver()) == {
        "Description": "1.234,50"
    }
    rounding = {
        "xero": "SalesDetails.UnitPrice",
        "zoho": "Unit_Price",
        "transform": {"kind": "round", "places": 2},
    }
    assert to_xero("products", _one_rule(rounding), {"Unit_Price": 2.675}, r.resolver()) == {
        "SalesDetails": {"UnitPrice": 2.68}
    }


def test_a_value_table_translates_picklist_values_and_falls_back_to_its_default():
    rule = {
        "xero": "Status",
        "zoho": "Status",
        "transform": {"kind": "value_table", "table": {"Created": "DRAFT"}, "default": "SUBMITTED"},
    }
    assert to_xero("invoices", _one_rule(rule), {"Status": "Created"}, r.resolver()) == {"Status": "DRAFT"}
    assert to_xero("invoices", _one_rule(rule), {"Status": "Odd"}, r.resolver()) == {"Status": "SUBMITTED"}


def test_a_value_that_is_not_a_number_is_reported_not_sent():
    rule = {"xero": "SalesDetails.UnitPrice", "zoho": "Unit_Price"}
    with pytest.raises(InvalidValue) as error:
        to_xero("products", _one_rule(rule), {"Unit_Price": "twelve"}, r.resolver())
    assert "twelve" in error.value.message and "Unit_Price" in error.value.message


def test_empty_source_values_write_nothing():
    payload = to_xero(
        "accounts",
        default_mapping("accounts", Z2X),
        {"id": "1", "Account_Name": "A", "Phone": "", "Fax": None},
        r.resolver(),
    )
    assert payload == {"Name": "A", "ContactNumber": "1"}


def test_the_fingerprint_ignores_key_order_number_spelling_empty_values_and_phone_order():
    a = {
        "Name": "A",
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "1"}, {"PhoneType": "FAX", "PhoneNumber": "2"}],
        "X": 10,
    }
    b = {
        "X": 10.0,
        "Empty": "",
        "Phones": [{"PhoneType": "FAX", "PhoneNumber": "2"}, {"PhoneType": "DEFAULT", "PhoneNumber": "1"}],
        "Name": "A",
    }
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint({**a, "Name": "B"})
    assert fingerprint({"LineItems": [{"Quantity": 1}, {"Quantity": 2}]}) != fingerprint(
        {"LineItems": [{"Quantity": 2}, {"Quantity": 1}]}
    )


def test_a_multi_line_zoho_street_spreads_over_the_xero_address_lines_and_comes_back():
    account = {"Account_Name": "Acme", "Billing_Street": "Level 3\n1 George Street\n\nRear entrance\nDock 4"}
    payload = to_xero("accounts", default_mapping("accounts", Z2X), account, r.resolver())
    address = payload["Addresses"][0]
    assert address == {
        "AddressType": "POBOX",
        "AddressLine1": "Level 3",
        "AddressLine2": "1 George Street",
        "AddressLine3": "",
        "AddressLine4": "Rear entrance\nDock 4",
    }
    back = to_zoho("accounts", default_mapping("accounts", X2Z), payload, r.resolver())
    assert back["Billing_Street"] == account["Billing_Street"]


def test_a_xero_phone_with_country_and_area_codes_becomes_one_zoho_number():
    contact = {
        "Name": "Acme",
        "Phones": [
            {
                "PhoneType": "DEFAULT",
                "PhoneCountryCode": "61",
                "PhoneAreaCode": "2",
                "PhoneNumber": "9999 0000",
            },
            {"PhoneType": "FAX", "PhoneNumber": "+61 2 9999 0001", "PhoneCountryCode": "61"},
        ],
    }
    record = to_zoho("accounts", default_mapping("accounts", X2Z), contact, r.resolver())
    assert record["Phone"] == "+61 2 9999 0000"
    assert record["Fax"] == "+61 2 9999 0001"  # already international: left alone


def test_a_mapped_account_field_overrides_the_default_sales_account_per_line():
    mapping = default_mapping("invoices", Z2X)
    for rule in mapping["rules"]:
        if rule["xero"] == "LineItems[].AccountCode":
            rule["zoho"] = "Invoiced_Items[].Xero_Account"
    lines = [
        {**r.ZOHO_INVOICE["Invoiced_Items"][0], "Xero_Account": "260"},
        {**r.ZOHO_INVOICE["Invoiced_Items"][0], "Xero_Account": None},
    ]
    payload = to_xero("invoices", mapping, {**r.ZOHO_INVOICE, "Invoiced_Items": lines}, r.resolver())
    assert [line["AccountCode"] for line in payload["LineItems"]] == ["260", "200"]
