"""Xero invoices over HTTP: totals as Xero computes them, the status transitions, line item replacement,
payments and the validation of codes."""

import pytest

from .xero_helpers import UK, api_for

LINE = {"Description": "Consulting", "Quantity": 2, "UnitAmount": 100, "AccountCode": "200", "TaxType": "OUTPUT"}


def _contact(api, name="Andy's Toys"):
    return api.put("Contacts", {"Contacts": [{"Name": name}]}).json()["Contacts"][0]["ContactID"]


def _invoice(api, status="DRAFT", lines=None, **fields):
    payload = {"Type": "ACCREC", "Contact": {"ContactID": _contact(api, fields.pop("contact", "Andy's Toys"))},
               "Date": "2026-11-01", "DueDate": "2026-12-01", "Status": status, "LineItems": lines or [LINE],
               **fields}
    response = api.put("Invoices", {"Invoices": [payload]}, params={"summarizeErrors": "false"})
    assert response.status_code == 200, response.text
    invoice = response.json()["Invoices"][0]
    assert invoice["StatusAttributeString"] == "OK", invoice.get("ValidationErrors")
    return invoice


def _update(api, invoice_id, **fields):
    response = api.post(f"Invoices/{invoice_id}", {"Invoices": [fields]}, params={"summarizeErrors": "false"})
    assert response.status_code == 200, response.text
    return response.json()["Invoices"][0]


def _pay(api, invoice, amount):
    return api.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]},
                                              "Account": {"Code": "090"}, "Amount": amount, "Date": "2026-11-20"}]})


def _in_status(api, status):
    if status in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        return _invoice(api, status)
    if status == "PAID":
        invoice = _invoice(api, "AUTHORISED")
        assert _pay(api, invoice, invoice["Total"]).status_code == 200
        return api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]
    if status == "VOIDED":
        return _update(api, _invoice(api, "AUTHORISED")["InvoiceID"], Status="VOIDED")
    return _update(api, _invoice(api, "DRAFT")["InvoiceID"], Status="DELETED")


def test_tax_is_computed_per_line_rounded_to_two_decimals_then_summed(sandbox):
    api = api_for(sandbox)
    lines = [{"Description": f"Pin {n}", "Quantity": 1, "UnitAmount": 0.05, "AccountCode": "200", "TaxType": "OUTPUT"}
             for n in range(3)]
    invoice = _invoice(api, lines=lines)
    assert [line["TaxAmount"] for line in invoice["LineItems"]] == [0.01, 0.01, 0.01]
    assert invoice["SubTotal"] == 0.15
    assert invoice["TotalTax"] == 0.03  # a document-level 10 % of 0.15 would round to 0.02
    assert invoice["Total"] == 0.18


def test_inclusive_and_no_tax_amounts(sandbox):
    api = api_for(sandbox)
    inclusive = _invoice(api, LineAmountTypes="Inclusive", lines=[
        {"Description": "Boxed set", "Quantity": 1, "UnitAmount": 110, "AccountCode": "200", "TaxType": "OUTPUT"},
        {"Description": "Sticker", "Quantity": 3, "UnitAmount": 3.33, "AccountCode": "200", "TaxType": "OUTPUT"}])
    assert [line["TaxAmount"] for line in inclusive["LineItems"]] == [10.0, 0.91]
    assert (inclusive["SubTotal"], inclusive["TotalTax"], inclusive["Total"]) == (109.08, 10.91, 119.99)
    no_tax = _invoice(api, LineAmountTypes="NoTax", lines=[dict(LINE, TaxType="EXEMPTOUTPUT")], contact="Sid")
    assert (no_tax["SubTotal"], no_tax["TotalTax"], no_tax["Total"]) == (200.0, 0.0, 200.0)


def test_uk_vat_and_discounts_and_item_defaults(sandbox):
    api = api_for(sandbox, tenant=UK)
    api.put("Items", {"Items": [{"Code": "CHAIR", "Name": "Chair", "Description": "Office chair",
                                 "SalesDetails": {"UnitPrice": 19.99, "AccountCode": "200", "TaxType": "OUTPUT2"}}]})
    invoice = _invoice(api, lines=[{"ItemCode": "CHAIR", "Quantity": 2},
                                   {"Description": "Desk", "Quantity": 1, "UnitAmount": 100, "DiscountRate": 15,
                                    "AccountCode": "200", "TaxType": "OUTPUT2"}])
    chair, desk = invoice["LineItems"]
    assert (chair["Description"], chair["UnitAmount"], chair["LineAmount"], chair["TaxAmount"]) == (
        "Office chair", 19.99, 39.98, 8.0)
    assert chair["Item"]["Code"] == "CHAIR"
    assert (desk["LineAmount"], desk["TaxAmount"]) == (85.0, 17.0)
    assert invoice["Total"] == 149.98 and invoice["CurrencyCode"] == "GBP"


def test_unknown_codes_are_validation_errors(sandbox):
    api = api_for(sandbox)
    contact = _contact(api)
    response = api.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact},
                                                  "Status": "AUTHORISED", "LineItems": [
        {"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "476", "TaxType": "OUTPUT"},
        {"Description": "y", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200", "TaxType": "OUTPUT2"},
        {"ItemCode": "NOPE", "Quantity": 1}]}]})
    assert response.status_code == 400
    messages = [e["Message"] for e in response.json()["Elements"][0]["ValidationErrors"]]
    assert "Account code '476' is not a valid code for this document." in messages
    assert ("The TaxType code 'OUTPUT2' does not exist or cannot be used for this type of transaction."
            in messages)
    assert "Item code 'NOPE' is not valid." in messages
    assert api.get("Invoices").json()["Invoices"] == []


def test_invoice_numbers_are_unique_and_generated_when_missing(sandbox):
    api = api_for(sandbox)
    first = _invoice(api)
    assert first["InvoiceNumber"] == "INV-0001"
    _invoice(api, InvoiceNumber="ZOHO-77", contact="B")
    duplicate = api.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "C"}, "InvoiceNumber": "ZOHO-77",
                                                   "LineItems": [LINE]}]})
    assert duplicate.status_code == 400
    assert duplicate.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]


ALLOWED = [("DRAFT", "SUBMITTED"), ("DRAFT", "AUTHORISED"), ("DRAFT", "DELETED"), ("SUBMITTED", "DRAFT"),
           ("SUBMITTED", "AUTHORISED"), ("SUBMITTED", "DELETED"), ("AUTHORISED", "VOIDED")]
REFUSED = [("AUTHORISED", "DRAFT"), ("AUTHORISED", "SUBMITTED"), ("AUTHORISED", "DELETED"), ("DRAFT", "PAID"),
           ("AUTHORISED", "PAID"), ("PAID", "VOIDED"), ("PAID", "AUTHORISED"), ("VOIDED", "AUTHORISED"),
           ("VOIDED", "DRAFT"), ("DELETED", "DRAFT"), ("DELETED", "AUTHORISED")]


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_an_allowed_status_transition_is_applied(sandbox, start, target):
    api = api_for(sandbox)
    invoice = _in_status(api, start)
    updated = _update(api, invoice["InvoiceID"], Status=target)
    assert updated["StatusAttributeString"] == "OK"
    assert api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]["Status"] == target


@pytest.mark.parametrize(("start", "target"), REFUSED)
def test_a_refused_status_transition_changes_nothing(sandbox, start, target):
    api = api_for(sandbox)
    invoice = _in_status(api, start)
    updated = _update(api, invoice["InvoiceID"], Status=target)
    assert updated["StatusAttributeString"] == "ERROR" and updated["HasErrors"] is True
    assert updated["ValidationErrors"]
    assert api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]["Status"] == start


@pytest.mark.parametrize("status", ["PAID", "VOIDED", "PAID", "DELETED"])
def test_paid_voided_and_deleted_invoices_cannot_be_edited(sandbox, status):
    api = api_for(sandbox)
    invoice = _in_status(api, status)
    updated = _update(api, invoice["InvoiceID"], Reference="changed")
    assert updated["ValidationErrors"] == [{"Message": "Invoice not of valid status for modification"}]


@pytest.mark.parametrize("status", ["PAID", "VOIDED"])
def test_an_invoice_cannot_be_created_paid_or_voided(sandbox, status):
    api = api_for(sandbox)
    response = api.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "Rex"}, "Status": status,
                                                  "LineItems": [LINE]}]})
    assert response.status_code == 400


def test_line_items_sent_on_update_replace_the_existing_ones(sandbox):
    api = api_for(sandbox)
    invoice = _invoice(api, lines=[LINE, dict(LINE, Description="Travel", UnitAmount=50)])
    keep = invoice["LineItems"][0]
    updated = _update(api, invoice["InvoiceID"], LineItems=[
        {"LineItemID": keep["LineItemID"], "Quantity": 3},
        {"Description": "New line", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200", "TaxType": "OUTPUT"}])
    lines = updated["LineItems"]
    assert len(lines) == 2
    assert lines[0]["LineItemID"] == keep["LineItemID"] and lines[0]["LineAmount"] == 300.0
    assert lines[0]["Description"] == "Consulting"
    assert lines[1]["Description"] == "New line" and lines[1]["LineItemID"] != invoice["LineItems"][1]["LineItemID"]
    assert updated["SubTotal"] == 310.0 and updated["Total"] == 341.0
    untouched = _update(api, invoice["InvoiceID"], Reference="PO-1")
    assert [line["LineItemID"] for line in untouched["LineItems"]] == [line["LineItemID"] for line in lines]


def test_a_payment_in_full_makes_the_invoice_paid_and_deleting_it_reopens_the_invoice(sandbox):
    api = api_for(sandbox)
    invoice = _invoice(api, "AUTHORISED")
    assert invoice["AmountDue"] == 220.0
    part = _pay(api, invoice, 20)
    assert part.status_code == 200
    after_part = api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]
    assert (after_part["Status"], after_part["AmountPaid"], after_part["AmountDue"]) == ("AUTHORISED", 20.0, 200.0)
    assert _update(api, invoice["InvoiceID"], Status="VOIDED")["StatusAttributeString"] == "ERROR"
    too_much = _pay(api, invoice, 200.01)
    assert too_much.status_code == 400
    assert too_much.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Payment amount exceeds the amount outstanding on this document"}]
    rest = _pay(api, invoice, 200)
    paid = api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0.0, 220.0)
    assert paid["FullyPaidOnDate"].startswith("/Date(")
    payment_id = rest.json()["Payments"][0]["PaymentID"]
    deleted = api.post(f"Payments/{payment_id}", {"Payments": [{"Status": "DELETED"}]})
    assert deleted.status_code == 200
    reopened = api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]
    assert (reopened["Status"], reopened["AmountDue"]) == ("AUTHORISED", 200.0)


def test_a_payment_needs_an_authorised_invoice(sandbox):
    api = api_for(sandbox)
    invoice = _invoice(api, "DRAFT")
    response = _pay(api, invoice, 10)
    assert response.status_code == 400


def test_an_archived_contact_cannot_be_invoiced(sandbox):
    api = api_for(sandbox)
    contact = _contact(api, "Old Customer")
    api.post(f"Contacts/{contact}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    response = api.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact},
                                                  "LineItems": [LINE]}]})
    assert response.status_code == 400
    assert "archived" in response.json()["Elements"][0]["ValidationErrors"][0]["Message"]


def test_invoice_dates_come_in_ms_json_and_string_forms(sandbox):
    api = api_for(sandbox)
    invoice = _invoice(api)
    assert invoice["Date"] == "/Date(1793491200000+0000)/"
    assert invoice["DateString"] == "2026-11-01T00:00:00"
    assert invoice["DueDateString"] == "2026-12-01T00:00:00"
    assert invoice["UpdatedDateUTCString"].endswith("Z")
    by_ms = _invoice(api, contact="Other", Date="/Date(1793491200000+0000)/")
    assert by_ms["DateString"] == "2026-11-01T00:00:00"
    bad = api.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "X"}, "Date": "01/11/2026",
                                             "LineItems": [LINE]}]})
    assert bad.status_code == 400 and bad.json()["Type"] == "PostDataInvalidException"


def test_invoices_filter_by_status_where_and_paging(sandbox):
    api = api_for(sandbox)
    _invoice(api, "DRAFT")
    authorised = _invoice(api, "AUTHORISED", contact="Z")
    listed = api.get("Invoices", params={"where": 'Status=="AUTHORISED"'}).json()
    assert [i["InvoiceID"] for i in listed["Invoices"]] == [authorised["InvoiceID"]]
    assert listed["Invoices"][0]["LineItems"]
    by_status = api.get("Invoices", params={"Statuses": "DRAFT"}).json()["Invoices"]
    assert [i["Status"] for i in by_status] == ["DRAFT"]
    assert api.get("Invoices", params={"pageSize": 1, "page": 2}).json()["pagination"]["pageCount"] == 2
    summary = api.get("Invoices", params={"summaryOnly": "true"}).json()["Invoices"][0]
    assert "LineItems" not in summary


@pytest.mark.parametrize("given", [None, ""])
def test_an_invoice_given_no_date_is_dated_today_and_an_update_without_one_keeps_its_date(sandbox, given):
    api = api_for(sandbox)
    undated = _invoice(api, contact="Undated", Date=given)
    assert undated["Date"].startswith("/Date(") and undated["DateString"].endswith("T00:00:00")
    assert api.get(f"Invoices/{undated['InvoiceID']}").json()["Invoices"][0]["DateString"] == undated["DateString"]
    dated = _invoice(api, contact="Dated")
    kept = _update(api, dated["InvoiceID"], Date=given, Reference="no date sent")
    assert kept["DateString"] == "2026-11-01T00:00:00" and kept["Reference"] == "no date sent"
