"""Delete rules and invoice rules of the engine, with in-memory providers."""

import pytest

from sync.engine import messages
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO

from .engine_world import World


def _linked_account(world):
    account = world.zoho.put("accounts", {"Account_Name": "Acme"})
    world.sync("accounts", ZOHO_TO_XERO)
    return account


def _delete_in_zoho(world, module, record_id):
    del world.zoho.records[module][record_id]
    return world.sync(module, ZOHO_TO_XERO, deleted_ids=[record_id])


def test_deletes_are_off_by_default_and_reported_once():
    world = World()
    account = _linked_account(world)
    [operation] = _delete_in_zoho(world, "accounts", account["id"])
    assert operation.status == "skipped" and operation.message_key == messages.DELETE_OFF
    [contact] = world.xero.records["accounts"].values()
    assert contact.get("ContactStatus") != "ARCHIVED"
    [again] = world.sync("accounts", ZOHO_TO_XERO, deleted_ids=[account["id"]])
    assert again.quiet


def test_a_deleted_zoho_account_archives_the_xero_contact():
    world = World()
    account = _linked_account(world)
    world.policy("accounts", ZOHO_TO_XERO, delete=True)
    [operation] = _delete_in_zoho(world, "accounts", account["id"])
    assert operation.status == "success" and operation.message_key == messages.ARCHIVED
    [contact] = world.xero.records["accounts"].values()
    assert contact["ContactStatus"] == "ARCHIVED"
    assert world.xero.writes[-1][0] == "archive"
    # The archived contact coming back does not delete anything in Zoho (link is closed).
    world.policy("accounts", XERO_TO_ZOHO, delete=True)
    world.sync("accounts", XERO_TO_ZOHO)
    assert not world.zoho.writes


def test_a_deleted_zoho_product_deletes_the_xero_item():
    world = World()
    product = world.zoho.put("products", {"Product_Name": "Widget", "Product_Code": "W-1", "Unit_Price": 10})
    world.sync("products", ZOHO_TO_XERO)
    world.policy("products", ZOHO_TO_XERO, delete=True)
    [operation] = _delete_in_zoho(world, "products", product["id"])
    assert operation.message_key == messages.ITEM_DELETED
    assert world.xero.records["products"] == {}


def test_a_product_without_code_is_refused_with_a_message():
    world = World()
    world.zoho.put("products", {"Product_Name": "No code"})
    [operation] = world.sync("products", ZOHO_TO_XERO)
    assert operation.status == "failed" and operation.message_key == messages.TRANSFORM_FAILED_DETAIL
    assert "Product Code" in operation.error_message and "error" not in operation.params  # details, not message


def _invoice(world, **fields):
    account = _linked_account(world)
    invoice = world.zoho.put(
        "invoices",
        {"Subject": "Inv", "Invoice_Number": "INV-1", "Account_Name": {"id": account["id"], "name": "Acme"},
         "Invoiced_Items": [{"Description": "Work", "Quantity": 1}], **fields},
    )
    world.sync("invoices", ZOHO_TO_XERO)
    [xero_invoice] = world.xero.records["invoices"].values()
    return invoice, xero_invoice


@pytest.mark.parametrize(
    ("status", "paid", "outcome", "message", "new_status"),
    [
        ("DRAFT", 0, "success", messages.INVOICE_DELETED, "DELETED"),
        ("SUBMITTED", 0, "success", messages.INVOICE_DELETED, "DELETED"),
        ("AUTHORISED", 0, "success", messages.INVOICE_VOIDED, "VOIDED"),
        ("AUTHORISED", 50, "failed", messages.INVOICE_HAS_PAYMENTS, "AUTHORISED"),
        ("PAID", 100, "failed", messages.INVOICE_HAS_PAYMENTS, "PAID"),
    ],
)
def test_a_deleted_zoho_invoice_follows_the_xero_status_rule(status, paid, outcome, message, new_status):
    world = World()
    invoice, xero_invoice = _invoice(world)
    world.xero.records["invoices"][xero_invoice["InvoiceID"]].update(Status=status, AmountPaid=paid)
    world.policy("invoices", ZOHO_TO_XERO, delete=True)
    [operation] = _delete_in_zoho(world, "invoices", invoice["id"])
    assert (operation.status, operation.message_key) == (outcome, message)
    assert world.xero.records["invoices"][xero_invoice["InvoiceID"]]["Status"] == new_status


@pytest.mark.parametrize(
    ("module", "change"),
    [
        ("accounts", {"ContactStatus": "ARCHIVED"}),
        ("invoices", {"Status": "VOIDED"}),
        ("invoices", {"Status": "DELETED"}),
    ],
)
def test_an_archived_voided_or_deleted_xero_record_deletes_the_zoho_record(module, change):
    world = World()
    if module == "accounts":
        account = _linked_account(world)
        zoho_id = account["id"]
    else:
        invoice, _ = _invoice(world)
        zoho_id = invoice["id"]
    [xero_record] = world.xero.records[module].values()
    world.xero.put(module, {**xero_record, **change})
    world.policy(module, XERO_TO_ZOHO, delete=True)
    operations = world.sync(module, XERO_TO_ZOHO)
    assert [op.message_key for op in operations if not op.quiet] == [messages.ZOHO_DELETED]
    assert zoho_id not in world.zoho.records[module]


def test_an_archived_xero_contact_with_delete_off_is_reported_once_and_deletes_nothing():
    world = World()
    account = _linked_account(world)
    [contact] = world.xero.records["accounts"].values()
    world.xero.put("accounts", {**contact, "ContactStatus": "ARCHIVED"})
    [operation] = world.sync("accounts", XERO_TO_ZOHO)
    assert operation.message_key == messages.DELETE_OFF
    assert account["id"] in world.zoho.records["accounts"]
    [again] = world.sync("accounts", XERO_TO_ZOHO)
    assert again.quiet


def test_a_deleted_xero_item_deletes_the_zoho_product():
    world = World()
    product = world.zoho.put("products", {"Product_Name": "Widget", "Product_Code": "W-1"})
    world.sync("products", ZOHO_TO_XERO)
    [item_id] = world.xero.records["products"]
    del world.xero.records["products"][item_id]
    world.policy("products", XERO_TO_ZOHO, delete=True)
    [operation] = world.sync("products", XERO_TO_ZOHO, deleted_ids=[item_id])
    assert operation.status == "success"
    assert product["id"] not in world.zoho.records["products"]


@pytest.mark.parametrize("status", ["PAID", "VOIDED", "DELETED"])
def test_nothing_is_pushed_to_a_paid_voided_or_deleted_xero_invoice(status):
    world = World()
    invoice, xero_invoice = _invoice(world)
    world.xero.put("invoices", {**xero_invoice, "Status": status})
    world.sync("invoices", XERO_TO_ZOHO)  # (statuses flow back; voided/deleted are deletions, off here)
    writes = len(world.xero.writes)
    world.zoho.put("invoices", {**world.zoho.records["invoices"][invoice["id"]], "Subject": "Changed", "Invoice_Number": "INV-1b"})
    [operation] = world.sync("invoices", ZOHO_TO_XERO)
    assert operation.status == "skipped" and operation.message_key == messages.INVOICE_LOCKED
    assert operation.params["status"] == status
    assert len(world.xero.writes) == writes


def test_a_paid_status_from_zoho_is_never_sent_to_xero():
    world = World()
    _, xero_invoice = _invoice(world, Status="Paid")
    assert xero_invoice.get("Status") is None


def test_a_currency_not_enabled_in_xero_is_a_clear_failure():
    world = World()
    world.currencies = frozenset({"AUD"})
    account = _linked_account(world)
    world.zoho.put("invoices", {"Subject": "Inv", "Invoice_Number": "INV-9", "Currency": "EUR",
                                "Account_Name": {"id": account["id"]}, "Invoiced_Items": []})
    [operation] = world.sync("invoices", ZOHO_TO_XERO)
    assert operation.status == "failed" and operation.message_key == messages.CURRENCY_NOT_ENABLED
    assert operation.params["currency"] == "EUR"
    assert "invoices" not in world.xero.records


def test_an_invoice_whose_account_is_not_linked_fails_with_the_dependency_named():
    world = World()
    world.zoho.put("invoices", {"Subject": "Inv", "Invoice_Number": "INV-2",
                                "Account_Name": {"id": "555", "name": "Ghost Ltd"}})
    [operation] = world.sync("invoices", ZOHO_TO_XERO)
    assert operation.status == "failed" and operation.message_key == messages.DEPENDENCY_MISSING
    assert operation.params["name"] == "Ghost Ltd"


def test_payment_status_flows_back_to_zoho_paid_and_overdue():
    world = World()
    invoice, xero_invoice = _invoice(world)
    world.xero.put("invoices", {**xero_invoice, "Status": "AUTHORISED", "AmountDue": 80, "DueDate": "2030-05-01"})
    world.sync("invoices", XERO_TO_ZOHO)
    assert world.zoho.records["invoices"][invoice["id"]]["Status"] == "Overdue"
    assert world.zoho.records["invoices"][invoice["id"]]["Amount_Due"] == 80
    world.xero.put("invoices", {**world.xero.records["invoices"][xero_invoice["InvoiceID"]], "Status": "PAID", "AmountDue": 0})
    world.sync("invoices", XERO_TO_ZOHO)
    assert world.zoho.records["invoices"][invoice["id"]]["Status"] == "Paid"
    writes = len(world.writes())
    world.sync("invoices", ZOHO_TO_XERO)
    world.sync("invoices", XERO_TO_ZOHO)
    assert len(world.writes()) == writes


def test_an_invoice_is_matched_by_number_before_creating():
    world = World()
    account = _linked_account(world)
    world.xero.put("invoices", {"InvoiceNumber": "INV-5", "Type": "ACCREC", "Status": "DRAFT"})
    world.zoho.put("invoices", {"Subject": "Inv", "Invoice_Number": "INV-5", "Account_Name": {"id": account["id"]}})
    world.policy("invoices", ZOHO_TO_XERO, update=False)
    [operation] = world.sync("invoices", ZOHO_TO_XERO)
    assert operation.action == "match" and operation.matched_by == "number"
    assert len(world.xero.records["invoices"]) == 1


def test_a_deletion_made_before_delete_was_switched_on_is_reported_once_and_never_applied():
    from datetime import UTC, datetime

    world = World()
    before, after = _linked_account(world), world.zoho.put("accounts", {"Account_Name": "Later"})
    world.sync("accounts", ZOHO_TO_XERO)
    world.policy("accounts", ZOHO_TO_XERO, delete=True, delete_since=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    for account in (before, after):
        del world.zoho.records["accounts"][account["id"]]
    deleted = {before["id"]: "2026-03-01T12:59:59+01:00", after["id"]: "2026-03-01T13:00:00+01:00"}

    operations = {op.source_id: op for op in world.sync("accounts", ZOHO_TO_XERO, deleted_ids=deleted)}

    assert operations[before["id"]].message_key == messages.DELETE_WAS_OFF
    assert operations[after["id"]].message_key == messages.ARCHIVED  # in the very second Delete went on
    assert sorted(c.get("ContactStatus", "ACTIVE") for c in world.xero.records["accounts"].values()) == [
        "ACTIVE", "ARCHIVED"]
    again = world.sync("accounts", ZOHO_TO_XERO, deleted_ids=deleted)
    assert all(op.quiet for op in again)
