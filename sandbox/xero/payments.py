"""Payments against invoices: an invoice paid in full becomes PAID; deleting a payment reopens it."""

import uuid
from decimal import Decimal

from sandbox import clock

from .formats import decimal, money, ms_date, parse_date, utc_string
from .models import Account, Invoice, Payment
from .records import Invalid

FIELDS = {"PaymentID", "Date", "Amount", "Reference", "Status", "PaymentType", "UpdatedDateUTC", "Invoice",
          "Account", "IsReconciled", "CurrencyRate"}


def serialize_on_invoice(payment: Payment) -> dict:
    return {"PaymentID": str(payment.id), "Date": ms_date(parse_date(payment.data["Date"])),
            "Amount": float(Decimal(payment.data["Amount"])), "Reference": payment.data.get("Reference", ""),
            "CurrencyRate": float(Decimal(payment.data.get("CurrencyRate", "1"))), "HasAccount": True,
            "HasValidationErrors": False}


def serialize(payment: Payment) -> dict:
    invoice = payment.invoice
    account = Account.objects.filter(pk=payment.data.get("AccountID")).first()
    return {
        "PaymentID": str(payment.id),
        "Date": ms_date(parse_date(payment.data["Date"])),
        "Amount": float(Decimal(payment.data["Amount"])),
        "BankAmount": float(Decimal(payment.data["Amount"])),
        "Reference": payment.data.get("Reference", ""),
        "CurrencyRate": float(Decimal(payment.data.get("CurrencyRate", "1"))),
        "PaymentType": "ACCRECPAYMENT" if invoice.type == "ACCREC" else "ACCPAYPAYMENT",
        "Status": payment.status,
        "IsReconciled": False,
        "UpdatedDateUTC": ms_date(payment.updated_at),
        "UpdatedDateUTCString": utc_string(payment.updated_at),
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": str(account.id), "Code": account.code} if account else {},
        "Invoice": {"InvoiceID": str(invoice.id), "InvoiceNumber": invoice.number, "Type": invoice.type,
                    "Contact": {"ContactID": str(invoice.contact_id), "Name": invoice.contact.name}},
    }


def settle(invoice: Invoice, events: list, *, on_date=None) -> None:
    """Recompute PAID/AUTHORISED from the payments and bump the invoice."""
    from .invoices import amount_paid

    paid = amount_paid(invoice)
    total = Decimal(invoice.data.get("Total", "0"))
    data = dict(invoice.data)
    if paid >= total and total > 0:
        invoice.status = "PAID"
        data["FullyPaidOnDate"] = (on_date or clock.now().date()).isoformat()
    elif invoice.status == "PAID":
        invoice.status = "AUTHORISED"
        data.pop("FullyPaidOnDate", None)
    invoice.data, invoice.updated_at = data, clock.now()
    invoice.save()
    events.append(("INVOICE", "UPDATE", invoice.pk))


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def apply(organisation, element: dict, *, events: list, **_ignored) -> dict:
    from .invoices import amount_paid

    if element.get("PaymentID"):
        raise Invalid("Payments cannot be edited; delete the payment and create a new one.")
    reference = element.get("Invoice") or {}
    invoice = None
    if isinstance(reference, dict) and reference.get("InvoiceID"):
        invoice = Invoice.objects.filter(organisation=organisation, pk=_uuid(reference["InvoiceID"])).first()
    elif isinstance(reference, dict) and reference.get("InvoiceNumber"):
        invoice = Invoice.objects.filter(organisation=organisation, number=reference["InvoiceNumber"]).exclude(
            status="DELETED").first()
    if invoice is None:
        raise Invalid("The invoice for this payment could not be found.")
    account_ref = element.get("Account") or {}
    account = None
    if isinstance(account_ref, dict) and account_ref.get("AccountID"):
        account = Account.objects.filter(organisation=organisation, pk=_uuid(account_ref["AccountID"])).first()
    elif isinstance(account_ref, dict) and account_ref.get("Code"):
        account = Account.objects.filter(organisation=organisation, code=account_ref["Code"]).first()
    errors = []
    if account is None or account.status != "ACTIVE":
        errors.append("The account for this payment could not be found.")
    elif account.data.get("Type") != "BANK" and not account.data.get("EnablePaymentsToAccount"):
        errors.append(f"Account code '{account.code}' is not a bank account and does not accept payments.")
    if invoice.status != "AUTHORISED":
        errors.append("Payments can only be applied to AUTHORISED invoices.")
    amount = decimal(element.get("Amount"), "Amount")
    if amount is None or amount <= 0:
        errors.append("The payment amount must be greater than zero.")
    elif money(amount) > money(Decimal(invoice.data.get("Total", "0")) - amount_paid(invoice)):
        errors.append("Payment amount exceeds the amount outstanding on this document")
    if errors:
        raise Invalid(*errors)
    paid_on = parse_date(element.get("Date")) or clock.now().date()
    payment = Payment.objects.create(
        organisation=organisation, invoice=invoice, updated_at=clock.now(),
        data={"Date": paid_on.isoformat(), "Amount": str(money(amount)), "Reference": element.get("Reference") or "",
              "AccountID": str(account.id), "CurrencyRate": str(element.get("CurrencyRate") or "1")})
    settle(Invoice.objects.get(pk=invoice.pk), events, on_date=paid_on)
    return serialize(payment)


def delete(payment: Payment, events: list) -> dict:
    payment.status, payment.updated_at = "DELETED", clock.now()
    payment.save(update_fields=["status", "updated_at"])
    settle(Invoice.objects.get(pk=payment.invoice_id), events)
    return serialize(payment)
