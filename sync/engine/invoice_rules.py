"""Invoice rules: nothing is pushed to a paid, voided or deleted Xero invoice; statuses Xero sets itself are
never sent; the currency must be enabled in the Xero organisation; payment state flows back to Zoho."""

from datetime import date

from . import messages
from .fingerprint import parse_time

LOCKED_STATUSES = ("PAID", "VOIDED", "DELETED")
NOT_PUSHED_STATUSES = ("PAID", "VOIDED", "DELETED")


def locked_message(xero_invoice: dict) -> str:
    return messages.INVOICE_LOCKED if xero_invoice.get("Status") in LOCKED_STATUSES else ""


def has_payments(xero_invoice: dict) -> bool:
    def amount(key):
        try:
            return float(xero_invoice.get(key) or 0)
        except (TypeError, ValueError):
            return 0.0

    return bool(xero_invoice.get("Payments")) or amount("AmountPaid") > 0 or amount("AmountCredited") > 0


def check_for_xero(operation, policy):
    """Prepare an invoice payload for Xero; returns the failed operation, or None when it may be written."""
    payload = operation.payload or {}
    if payload.get("Status") in NOT_PUSHED_STATUSES:
        operation.params["dropped_status"] = payload["Status"]
        payload = {key: value for key, value in payload.items() if key != "Status"}
        operation.payload = payload
    currency = payload.get("CurrencyCode")
    if currency and policy.enabled_currencies is not None and currency not in policy.enabled_currencies:
        return operation.fail(
            messages.CURRENCY_NOT_ENABLED, currency=currency, organisation=policy.organisation_name or "Xero"
        )
    return None


ZOHO_STATUS = {"PAID": "Paid", "VOIDED": "Cancelled", "DELETED": "Cancelled", "AUTHORISED": "Approved"}
OVERDUE = "Overdue"


def is_overdue(xero_invoice: dict, today: date) -> bool:
    due = parse_time(xero_invoice.get("DueDateString") or xero_invoice.get("DueDate"))
    try:
        amount_due = float(xero_invoice.get("AmountDue") or 0)
    except (TypeError, ValueError):
        amount_due = 0.0
    return (
        xero_invoice.get("Status") == "AUTHORISED" and amount_due > 0 and due is not None and due.date() < today
    )


def zoho_status(xero_invoice: dict, today: date, allowed=None) -> str | None:
    """The Zoho invoice Status for a Xero invoice: Paid, Overdue (when the picklist has it), Approved, ..."""
    if is_overdue(xero_invoice, today) and (allowed is None or OVERDUE in allowed):
        return OVERDUE
    status = ZOHO_STATUS.get(xero_invoice.get("Status"))
    if status and (allowed is None or status in allowed):
        return status
    return None
