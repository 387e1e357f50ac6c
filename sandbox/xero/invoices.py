"""Invoices: line items, tax per line rounded to 2 dp then summed, statuses and their transitions."""

import uuid
from decimal import Decimal

from sandbox import clock

from . import contacts as contact_rules
from . import reference
from .formats import date_string, decimal, money, ms_date, parse_date, utc_string
from .models import Account, Contact, Invoice, Item, TaxRate
from .records import Invalid

FIELDS = {"InvoiceID", "InvoiceNumber", "Reference", "Status", "Type", "Contact", "ContactID", "Date", "DueDate",
          "UpdatedDateUTC", "Total", "SubTotal", "TotalTax", "AmountDue", "AmountPaid", "CurrencyCode",
          "LineAmountTypes", "SentToContact", "FullyPaidOnDate"}
TYPES = {"ACCREC", "ACCPAY"}
STATUSES = {"DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"}
LINE_AMOUNT_TYPES = {"Exclusive", "Inclusive", "NoTax"}
# Which status an invoice may move to (through PUT/POST); PAID is set by payments only.
TRANSITIONS = {
    None: {"DRAFT", "SUBMITTED", "AUTHORISED"},
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": set(),
    "VOIDED": set(),
    "DELETED": set(),
}
FROZEN = {"PAID", "VOIDED", "DELETED"}
LINE_INPUT_KEYS = ("Description", "Quantity", "UnitAmount", "ItemCode", "AccountCode", "TaxType", "DiscountRate",
                   "DiscountAmount", "Tracking")
EDITABLE_WITH_PAYMENTS = {"InvoiceID", "InvoiceNumber", "Type", "Status", "SentToContact", "DueDate", "Reference",
                          "Url", "ExpectedPaymentDate"}
NOT_MODIFIABLE = "Invoice not of valid status for modification"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."


def amount_paid(invoice: Invoice) -> Decimal:
    return sum((Decimal(p.data["Amount"]) for p in invoice.payments.all() if p.status == "AUTHORISED"),
               Decimal("0.00"))


def _num(value, places=2):
    return None if value in (None, "") else float(money(Decimal(str(value)), places))


def serialize_line(line: dict, unitdp: int = 2) -> dict:
    out = {"LineItemID": line["LineItemID"], "Description": line.get("Description", "")}
    if line.get("Quantity") is not None:
        out["Quantity"] = _num(line["Quantity"], 4)
    if line.get("UnitAmount") is not None:
        out["UnitAmount"] = _num(line["UnitAmount"], unitdp)
    for key in ("ItemCode", "AccountCode", "AccountID", "TaxType"):
        if line.get(key):
            out[key] = line[key]
    out["TaxAmount"] = _num(line.get("TaxAmount", "0"))
    out["LineAmount"] = _num(line.get("LineAmount", "0"))
    if line.get("DiscountRate") is not None:
        out["DiscountRate"] = _num(line["DiscountRate"])
    if line.get("DiscountAmount") is not None:
        out["DiscountAmount"] = _num(line["DiscountAmount"])
    out["Tracking"] = line.get("Tracking", [])
    if line.get("Item"):
        out["Item"] = line["Item"]
    return out


def serialize(invoice: Invoice, *, unitdp: int = 2, summary: bool = False) -> dict:
    from .payments import serialize_on_invoice

    data = invoice.data
    paid = amount_paid(invoice)
    total = Decimal(data.get("Total", "0"))
    invoice_date, due_date = parse_date(data.get("Date")), parse_date(data.get("DueDate"))
    contact = invoice.contact
    out = {
        "Type": invoice.type,
        "InvoiceID": str(invoice.id),
        "InvoiceNumber": invoice.number,
        "Reference": data.get("Reference", ""),
        "Payments": [serialize_on_invoice(p) for p in invoice.payments.all() if p.status == "AUTHORISED"],
        "CreditNotes": [], "Prepayments": [], "Overpayments": [],
        "AmountDue": float(money(total - paid)) if invoice.status not in ("VOIDED", "DELETED") else 0.0,
        "AmountPaid": float(money(paid)),
        "AmountCredited": 0.0,
        "SentToContact": bool(data.get("SentToContact", False)),
        "CurrencyRate": float(Decimal(str(data.get("CurrencyRate", "1")))),
        "HasErrors": False,
        "IsDiscounted": any(line.get("DiscountRate") or line.get("DiscountAmount")
                            for line in data.get("LineItems", [])),
        "HasAttachments": False,
        "Contact": {"ContactID": str(contact.id), "Name": contact.name,
                    **({"ContactNumber": contact.contact_number} if contact.contact_number else {}),
                    "Addresses": [], "Phones": [], "ContactGroups": [], "ContactPersons": [],
                    "HasValidationErrors": False},
        "DateString": date_string(invoice_date),
        "Date": ms_date(invoice_date),
        "Status": invoice.status,
        "LineAmountTypes": data.get("LineAmountTypes", "Exclusive"),
        "SubTotal": _num(data.get("SubTotal", "0")),
        "TotalTax": _num(data.get("TotalTax", "0")),
        "Total": _num(data.get("Total", "0")),
        "TotalDiscount": _num(data.get("TotalDiscount", "0")),
        "UpdatedDateUTC": ms_date(invoice.updated_at),
        "UpdatedDateUTCString": utc_string(invoice.updated_at),
        "CurrencyCode": data.get("CurrencyCode", ""),
    }
    if due_date:
        out["DueDateString"], out["DueDate"] = date_string(due_date), ms_date(due_date)
    if data.get("FullyPaidOnDate"):
        out["FullyPaidOnDate"] = ms_date(parse_date(data["FullyPaidOnDate"]))
    if data.get("Url"):
        out["Url"] = data["Url"]
    if not summary:
        out["LineItems"] = [serialize_line(line, unitdp) for line in data.get("LineItems", [])]
    return out


# Rules ---------------------------------------------------------------------------------------------------

def _resolve_contact(organisation, value, events):
    if not isinstance(value, dict):
        raise Invalid("A Contact must be specified for this type of transaction")
    contact = None
    if value.get("ContactID"):
        contact = Contact.objects.filter(organisation=organisation, pk=_uuid(value["ContactID"])).first()
        if contact is None:
            raise Invalid(f"The contact with ContactID {value['ContactID']} could not be found.")
    elif value.get("ContactNumber"):
        contact = Contact.objects.filter(organisation=organisation, contact_number=value["ContactNumber"]).first()
        if contact is None and not value.get("Name"):
            raise Invalid(f"The contact with ContactNumber {value['ContactNumber']} could not be found.")
    if contact is None and isinstance(value.get("Name"), str) and value["Name"].strip():
        name = value["Name"].strip()
        candidates = Contact.objects.filter(organisation=organisation, name__iexact=name)
        contact = candidates.filter(status="ACTIVE").first() or candidates.first()
        if contact is None:  # Xero creates the contact from the name
            element = {"Name": name}
            if value.get("ContactNumber"):
                element["ContactNumber"] = value["ContactNumber"]
            contact_rules.apply(organisation, element, mode="put", events=events)
            contact = Contact.objects.get(organisation=organisation, name=name, status="ACTIVE")
    if contact is None:
        raise Invalid("A Contact must be specified for this type of transaction")
    if contact.status != "ACTIVE":
        raise Invalid(f"The contact '{contact.name}' has been archived. Archived contacts cannot be used on "
                      "transactions.")
    return contact


def _tax_rate(organisation, tax_type, invoice_type, errors):
    rate = TaxRate.objects.filter(organisation=organisation, tax_type=tax_type, status="ACTIVE").first()
    usable = rate is not None and rate.data.get(
        "CanApplyToRevenue" if invoice_type == "ACCREC" else "CanApplyToExpenses", False)
    if not usable:
        errors.append(f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction.")
        return None
    return rate


def _line(organisation, supplied: dict, previous: dict | None, *, invoice_type, amount_types, status, unitdp,
          errors) -> dict:
    line = {key: previous[key] for key in LINE_INPUT_KEYS if previous and key in previous}
    line.update({key: supplied[key] for key in LINE_INPUT_KEYS if key in supplied})
    line["LineItemID"] = previous["LineItemID"] if previous else str(uuid.uuid4())
    item = None
    if line.get("ItemCode"):
        item = Item.objects.filter(organisation=organisation, code__iexact=line["ItemCode"]).first()
        if item is None:
            errors.append(f"Item code '{line['ItemCode']}' is not valid.")
        else:
            details = item.data.get("SalesDetails" if invoice_type == "ACCREC" else "PurchaseDetails") or {}
            line.setdefault("Description", item.data.get("Description") or item.data.get("Name") or item.code)
            if "UnitAmount" not in line and details.get("UnitPrice") is not None:
                line["UnitAmount"] = details["UnitPrice"]
            line.setdefault("AccountCode", details.get("AccountCode"))
            line.setdefault("TaxType", details.get("TaxType"))
            line["ItemCode"] = item.code
            line["Item"] = {"ItemID": str(item.id), "Name": item.data.get("Name", ""), "Code": item.code}
    description = line.get("Description")
    if not isinstance(description, str) or not description.strip():
        errors.append("Description must be at least 1 character long.")
    quantity = decimal(line.get("Quantity"), "Quantity")
    unit = decimal(line.get("UnitAmount"), "UnitAmount")
    given_amount = decimal(supplied.get("LineAmount"), "LineAmount")
    discount_rate = decimal(line.get("DiscountRate"), "DiscountRate")
    discount_amount = decimal(line.get("DiscountAmount"), "DiscountAmount")
    if (discount_rate or discount_amount) and invoice_type != "ACCREC":
        errors.append("Discounts are only supported on ACCREC invoices.")
    if discount_rate is not None and not (0 <= discount_rate <= 100):
        errors.append("DiscountRate must be between 0 and 100.")
    if unit is not None:
        unit = money(unit, unitdp)
    if quantity is None and (unit is not None or given_amount is not None):
        quantity = Decimal("1")
    if quantity is not None:
        quantity = money(quantity, 4)
    if unit is None and given_amount is not None and quantity:
        unit = money(given_amount / quantity, unitdp)
    amount = Decimal("0")
    if quantity is not None and unit is not None:
        amount = quantity * unit
        if discount_rate:
            amount = amount * (Decimal(100) - discount_rate) / Decimal(100)
        if discount_amount:
            amount -= discount_amount
        amount = money(amount)
        if given_amount is not None and abs(money(given_amount) - amount) > Decimal("0.01"):
            errors.append("The line amount must equal the quantity multiplied by the unit amount, less any discount.")
    account = None
    if line.get("AccountCode"):
        account = Account.objects.filter(organisation=organisation, code=line["AccountCode"], status="ACTIVE").first()
        if account is None or account.data.get("Type") == "BANK":
            errors.append(f"Account code '{line['AccountCode']}' is not a valid code for this document.")
            account = None
    elif status != "DRAFT":
        errors.append("Account code must be specified.")
    tax = Decimal("0.00")
    if amount_types == "NoTax":
        line["TaxType"] = line.get("TaxType") or "NONE"
    else:
        tax_type = line.get("TaxType") or (account.data.get("TaxType") if account else None)
        if tax_type:
            line["TaxType"] = tax_type
            rate = _tax_rate(organisation, tax_type, invoice_type, errors)
            if rate is not None:
                percent = Decimal(str(rate.data.get("EffectiveRate", 0)))
                if amount_types == "Inclusive":
                    tax = money(amount * percent / (Decimal(100) + percent))
                else:
                    tax = money(amount * percent / Decimal(100))
        elif status != "DRAFT":
            errors.append("TaxType must be specified.")
        override = decimal(supplied.get("TaxAmount"), "TaxAmount")
        if override is not None:
            tax = money(override)
    if account is not None:
        line["AccountID"] = str(account.id)
    line["Quantity"] = None if quantity is None else str(quantity)
    line["UnitAmount"] = None if unit is None else str(unit)
    line["LineAmount"] = str(amount)
    line["TaxAmount"] = str(tax)
    line["_discount"] = str(money(quantity * unit - amount) if quantity is not None and unit is not None else 0)
    return line


def totals(lines: list[dict], amount_types: str) -> dict:
    """Xero's totals: the tax of each line is already rounded to 2 dp; sum them."""
    line_total = sum((Decimal(line["LineAmount"]) for line in lines), Decimal("0.00"))
    tax_total = sum((Decimal(line["TaxAmount"]) for line in lines), Decimal("0.00"))
    if amount_types == "Inclusive":
        sub_total, total = line_total - tax_total, line_total
    else:
        sub_total, total = line_total, line_total + tax_total
    discount = sum((Decimal(line.get("_discount", "0")) for line in lines), Decimal("0.00"))
    return {"SubTotal": str(money(sub_total)), "TotalTax": str(money(tax_total)), "Total": str(money(total)),
            "TotalDiscount": str(money(discount))}


def _find_existing(organisation, element, mode, target):
    if target is not None:
        return target
    invoice_id = element.get("InvoiceID")
    if invoice_id:
        existing = Invoice.objects.filter(organisation=organisation, pk=_uuid(invoice_id)).first()
        if existing is None:
            raise Invalid(f"The invoice with InvoiceID {invoice_id} could not be found.")
        if mode == "put":
            raise Invalid("This invoice already exists. Use POST to update it.")
        return existing
    number = element.get("InvoiceNumber")
    if mode == "post" and isinstance(number, str) and number.strip() and element.get("Type", "ACCREC") == "ACCREC":
        return Invoice.objects.filter(organisation=organisation, type="ACCREC", number=number.strip()).exclude(
            status="DELETED").first()
    return None


def next_number(organisation) -> str:
    from .models import Organisation

    Organisation.objects.filter(pk=organisation.pk).update(invoice_counter=models_F("invoice_counter") + 1)
    counter = Organisation.objects.get(pk=organisation.pk).invoice_counter
    while True:
        number = f"INV-{counter:04d}"
        if not Invoice.objects.filter(organisation=organisation, type="ACCREC", number=number).exists():
            return number
        counter += 1
        Organisation.objects.filter(pk=organisation.pk).update(invoice_counter=counter)


def models_F(name):
    from django.db.models import F

    return F(name)


def apply(organisation, element: dict, *, mode: str, events: list, target: Invoice | None = None,
          unitdp: int = 2, created_by: str = "") -> dict:
    """Create or update one invoice; `created_by` is the client id of the app that creates it through the API
    (empty for the UI and the seed), which GET /Invoices?createdByMyApp=true filters on."""
    existing = _find_existing(organisation, element, mode, target)
    current = existing.status if existing else None
    if current in FROZEN:
        raise Invalid(NOT_MODIFIABLE)
    errors = []
    data = dict(existing.data) if existing else {}
    invoice_type = existing.type if existing else element.get("Type")
    if existing is None and invoice_type not in TYPES:
        raise Invalid("Invoice Type must be ACCREC or ACCPAY.")
    if existing is not None and element.get("Type") not in (None, existing.type):
        errors.append("The Type of an invoice cannot be changed.")
    status = element.get("Status", current or "DRAFT")
    if status not in STATUSES:
        raise Invalid(f"Status must be one of {', '.join(sorted(STATUSES))}.")
    if status not in TRANSITIONS[current]:
        if current == "AUTHORISED" and status == "DELETED":
            raise Invalid("An authorised invoice cannot be deleted; void it instead (Status VOIDED).")
        if status == "PAID":
            raise Invalid("An invoice becomes PAID when payments cover its total; apply a payment instead.")
        if current is None:
            raise Invalid(f"An invoice cannot be created with the status {status}.")
        raise Invalid(NOT_MODIFIABLE)
    paid = amount_paid(existing) if existing else Decimal("0")
    if paid > 0:
        if status == "VOIDED" or set(element) - EDITABLE_WITH_PAYMENTS:
            raise Invalid(HAS_PAYMENTS)
    now = clock.now()
    if existing is not None and status in ("DELETED", "VOIDED"):
        existing.status, existing.updated_at = status, now
        existing.save(update_fields=["status", "updated_at"])
        events.append(("INVOICE", "UPDATE", existing.pk))
        return serialize(existing, unitdp=unitdp)

    contact = existing.contact if existing else None
    if "Contact" in element or existing is None:
        try:
            contact = _resolve_contact(organisation, element.get("Contact"), events)
        except Invalid as error:
            errors.extend(error.messages)
    amount_types = element.get("LineAmountTypes", data.get("LineAmountTypes", "Exclusive"))
    if amount_types not in LINE_AMOUNT_TYPES:
        errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        amount_types = "Exclusive"
    data["LineAmountTypes"] = amount_types
    for field in ("Date", "DueDate"):
        if field in element:
            value = parse_date(element[field])
            if value:
                data[field] = value.isoformat()
            elif field == "DueDate":
                data[field] = None
    # An invoice always has a Date: one not given (or given empty) is today's, as Xero documents ("if the Date
    # element is not specified it will default to the current date"), and the spec's Date is not nullable.
    if not data.get("Date"):
        data["Date"] = clock.now().date().isoformat()
    currency = element.get("CurrencyCode", data.get("CurrencyCode") or organisation.base_currency)
    if currency not in reference.enabled_currencies(organisation):
        errors.append(f"The currency {currency} is not enabled for this organisation "
                      f"(base currency {organisation.base_currency}).")
    data["CurrencyCode"] = currency
    for field in ("Reference", "Url"):
        if field in element:
            data[field] = element[field] or ""
    if "SentToContact" in element:
        data["SentToContact"] = bool(element["SentToContact"])
    number = existing.number if existing else ""
    if "InvoiceNumber" in element and element["InvoiceNumber"] not in (None, ""):
        number = str(element["InvoiceNumber"]).strip()
        if len(number) > 255:
            errors.append("InvoiceNumber must not be longer than 255 characters.")
    if invoice_type == "ACCREC" and number:
        clash = Invoice.objects.filter(organisation=organisation, type="ACCREC", number__iexact=number).exclude(
            status="DELETED")
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            errors.append("Invoice # must be unique.")
    previous_lines = {line["LineItemID"]: line for line in data.get("LineItems", [])}
    if "LineItems" in element or existing is None or "LineAmountTypes" in element or status != current:
        supplied_lines = element.get("LineItems")
        if supplied_lines is None:  # recompute the kept lines (new amount type or status checks)
            supplied_lines = [{"LineItemID": key} for key in previous_lines]
        if not isinstance(supplied_lines, list) or any(not isinstance(x, dict) for x in supplied_lines):
            raise Invalid("LineItems must be an array of objects.")
        lines = []
        for supplied in supplied_lines:
            previous = None
            if supplied.get("LineItemID"):
                previous = previous_lines.get(str(supplied["LineItemID"]))
                if previous is None:
                    errors.append(f"The line item with LineItemID {supplied['LineItemID']} could not be found.")
                    continue
            lines.append(_line(organisation, supplied, previous, invoice_type=invoice_type,
                               amount_types=amount_types, status=status, unitdp=unitdp, errors=errors))
        if status != "DRAFT" and not lines:
            errors.append("An invoice must have at least one line item before it can be submitted or approved.")
        data["LineItems"] = lines
        data.update(totals(lines, amount_types))
    if errors:
        raise Invalid(*dict.fromkeys(errors))
    if existing is None:
        if invoice_type == "ACCREC" and not number:
            number = next_number(organisation)
        invoice = Invoice.objects.create(organisation=organisation, type=invoice_type, number=number, status=status,
                                         contact=contact, data=data, updated_at=now, created_by_app=created_by)
        events.append(("INVOICE", "CREATE", invoice.pk))
    else:
        invoice = existing
        invoice.number, invoice.status, invoice.contact, invoice.data, invoice.updated_at = (
            number, status, contact, data, now)
        invoice.save()
        events.append(("INVOICE", "UPDATE", invoice.pk))
    return serialize(invoice, unitdp=unitdp)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
