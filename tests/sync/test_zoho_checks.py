"""The planner's checks of Zoho-bound payloads (sync.engine.zoho_checks): what Zoho CRM would refuse, found
before anything is written, with a reason naming the field (Zoho's label) and the value."""

from sync.engine import messages
from sync.engine.operations import CREATE, UPDATE, Operation
from sync.engine.zoho_checks import check_for_zoho

FIELDS = {
    "Subject": {"label": "Subject", "mandatory": True, "length": 10},
    "Account_Name": {"label": "Account Name", "mandatory": True},
    "Invoiced_Items[].Product_Name": {"label": "Product Name", "mandatory": True},
    "Invoiced_Items[].Quantity": {"label": "Quantity", "mandatory": True},
    "Grand_Total": {"label": "Grand Total", "mandatory": True, "read_only": True},
}
XERO_INVOICE = {"Contact": {"ContactID": "c-1", "Name": "Harbour Traders"},
                "LineItems": [{"ItemCode": "CK-48", "Quantity": 1}, {"Description": "Freight", "Quantity": 1}]}


def _operation(payload, action=CREATE, source=XERO_INVOICE):
    return Operation(module="invoices", direction="xero_to_zoho", action=action, source_id="inv-1",
                     payload=payload, source=source)


def _lines(*products):
    return [{"Quantity": 1, **({"Product_Name": {"id": p}} if p else {})} for p in products]


def test_a_complete_payload_passes_and_read_only_fields_are_not_asked_for():
    operation = _operation({"Subject": "INV-1", "Account_Name": {"id": "9"}, "Invoiced_Items": _lines("1", "2")})
    assert check_for_zoho(operation, FIELDS, "Invoiced_Items") is None


def test_an_invoice_whose_contact_is_not_in_zoho_waits_for_it():
    failed = check_for_zoho(_operation({"Subject": "INV-1", "Invoiced_Items": _lines("1", "2")}), FIELDS,
                            "Invoiced_Items")
    assert failed.message_key == messages.WAITS_FOR_CONTACT
    assert (failed.params["value"], failed.params["field"]) == ("Harbour Traders", "Account Name")


def test_a_line_without_a_product_blames_the_missing_item_product_or_the_missing_choice():
    waits = check_for_zoho(_operation({"Subject": "INV-1", "Account_Name": {"id": "9"},
                                       "Invoiced_Items": _lines(None, "2")}), FIELDS, "Invoiced_Items")
    assert waits.message_key == messages.WAITS_FOR_PRODUCT and waits.params["value"] == "CK-48"
    choose = check_for_zoho(_operation({"Subject": "INV-1", "Account_Name": {"id": "9"},
                                        "Invoiced_Items": _lines("1", None)}), FIELDS, "Invoiced_Items")
    assert choose.message_key == messages.ITEMLESS_LINE_NO_PRODUCT
    assert (choose.params["line"], choose.params["value"], choose.params["field"]) == (2, "Freight", "Product Name")


def test_a_value_too_long_for_zoho_is_refused_with_its_length():
    failed = check_for_zoho(_operation({"Subject": "INV-12345678", "Account_Name": {"id": "9"},
                                        "Invoiced_Items": _lines("1", "2")}), FIELDS, "Invoiced_Items")
    assert failed.message_key == messages.ZOHO_VALUE_TOO_LONG
    assert (failed.params["length"], failed.params["max"]) == (12, 10)


def test_an_update_leaves_the_fields_it_does_not_send_and_without_metadata_nothing_is_checked():
    assert check_for_zoho(_operation({"Invoiced_Items": _lines("1", "2")}, UPDATE), FIELDS, "Invoiced_Items") is None
    assert check_for_zoho(_operation({}), {}, "Invoiced_Items") is None
