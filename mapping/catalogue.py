"""The typed catalogue of Xero fields a mapping can fill or read, per module.

Read from the Xero Accounting OpenAPI spec (XeroAPI/Xero-OpenAPI v16.1.0): the Contact, ContactPerson, Address,
Phone, Item, Purchase (SalesDetails), Invoice and LineItem schemas. Paths are nested targets:

- ``SalesDetails.UnitPrice``: an object property.
- ``Phones[DEFAULT].PhoneNumber``: the element of the ``Phones`` array whose ``PhoneType`` is ``DEFAULT``.
- ``LineItems[].Quantity``: a property of every element of the ``LineItems`` array (one per Zoho line item).

Mandatory fields: the spec marks Item ``Code`` as required; Contact ``Name`` (creating a contact) and the invoice
``Contact`` and ``LineItems`` are required by the Contacts and Invoices endpoints (developer.xero.com
documentation, and the spec's minimal invoice example at L7922).
"""

from dataclasses import dataclass, field

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Types a field can have. Zoho field kinds are matched against these (see mapping.compatibility).
TEXT = "text"
NUMBER = "number"
DATE = "date"
BOOLEAN = "boolean"
ENUM = "enum"
REFERENCE = "reference"  # an ID of another record (ContactID, an Item Code on a line): filled by a lookup
TAX = "tax"  # a TaxType code from GET /TaxRates: filled from the organisation's tax mapping

TYPE_LABELS = {
    TEXT: _("text"),
    NUMBER: _("number"),
    DATE: _("date"),
    BOOLEAN: _("yes/no"),
    ENUM: _("list of values"),
    REFERENCE: _("linked record"),
    TAX: _("tax rate"),
}

# Array element selectors: ``Phones[MOBILE]`` is the element whose ``PhoneType`` is MOBILE.
DISCRIMINATORS = {"Phones": "PhoneType", "Addresses": "AddressType"}

INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
INVOICE_TYPES = ("ACCREC",)
CONTACT_STATUSES = ("ACTIVE", "ARCHIVED", "GDPRREQUEST")


@dataclass(frozen=True)
class XeroField:
    path: str
    type: str
    label: object  # a lazy translatable string
    mandatory: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    read_only: bool = False  # Xero sets it: readable (Xero -> Zoho) but never sent
    write_only: bool = False  # sent to Xero, but not a value worth reading back

    @property
    def is_line_field(self) -> bool:
        return self.path.startswith("LineItems[].")


@dataclass(frozen=True)
class XeroModule:
    """One Xero record type as the mapping sees it."""

    key: str
    name: str
    fields: tuple[XeroField, ...] = field(default_factory=tuple)

    def get(self, path: str) -> XeroField | None:
        return next((f for f in self.fields if f.path == path), None)

    @property
    def mandatory(self) -> tuple[XeroField, ...]:
        return tuple(f for f in self.fields if f.mandatory)


# Address schema (spec L20276): AddressLine1-4 <= 500, City/Region/AttentionTo <= 255, PostalCode/Country <= 50.
_ADDRESS_PARTS = (
    ("AddressLine1", _("{address}: line 1"), 500),
    ("AddressLine2", _("{address}: line 2"), 500),
    ("AddressLine3", _("{address}: line 3"), 500),
    ("AddressLine4", _("{address}: line 4"), 500),
    ("City", _("{address}: city"), 255),
    ("Region", _("{address}: region"), 255),
    ("PostalCode", _("{address}: postal code"), 50),
    ("Country", _("{address}: country"), 50),
    ("AttentionTo", _("{address}: attention"), 255),
)


def _address_fields(kind: str, label) -> list[XeroField]:
    return [
        XeroField(f"Addresses[{kind}].{part}", TEXT, format_lazy(template, address=label), max_length=max_length)
        for part, template, max_length in _ADDRESS_PARTS
    ]


PHONE_LABELS = {
    "DEFAULT": _("Phone"),
    "DDI": _("Direct dial phone"),
    "MOBILE": _("Mobile phone"),
    "FAX": _("Fax"),
    "OFFICE": _("Office phone"),
}


def _phone_fields() -> list[XeroField]:
    # Phone schema (spec L20323): PhoneType DEFAULT|DDI|MOBILE|FAX|OFFICE, PhoneNumber <= 50.
    fields = [
        XeroField(f"Phones[{kind}].PhoneNumber", TEXT, label, max_length=50)
        for kind, label in PHONE_LABELS.items()
    ]
    for kind in (
        "DEFAULT",
        "MOBILE",
    ):  # codes kept apart by Xero (PhoneCountryCode <= 20, PhoneAreaCode <= 10)
        label = PHONE_LABELS[kind]
        fields += [
            XeroField(
                f"Phones[{kind}].PhoneCountryCode",
                TEXT,
                format_lazy(_("{phone}: country code"), phone=label),
                max_length=20,
            ),
            XeroField(
                f"Phones[{kind}].PhoneAreaCode",
                TEXT,
                format_lazy(_("{phone}: area code"), phone=label),
                max_length=10,
            ),
        ]
    return fields


_CONTACT_FIELDS = [
    # Contact schema (spec L21180).
    XeroField("Name", TEXT, _("Name"), mandatory=True, max_length=255),
    XeroField("ContactNumber", TEXT, _("Contact number (code)"), max_length=50),
    XeroField("AccountNumber", TEXT, _("Account number"), max_length=50),
    XeroField("ContactStatus", ENUM, _("Contact status"), choices=CONTACT_STATUSES),
    XeroField("FirstName", TEXT, _("First name"), max_length=255),
    XeroField("LastName", TEXT, _("Last name"), max_length=255),
    XeroField("EmailAddress", TEXT, _("Email address"), max_length=255),
    XeroField("CompanyNumber", TEXT, _("Company number"), max_length=50),
    XeroField("TaxNumber", TEXT, _("Tax number"), max_length=50),
    XeroField("BankAccountDetails", TEXT, _("Bank account details")),
    XeroField("AccountsReceivableTaxType", TAX, _("Sales tax rate")),
    XeroField("DefaultCurrency", TEXT, _("Default currency"), max_length=3),
    XeroField("SalesDefaultAccountCode", TEXT, _("Default sales account")),
    XeroField("Website", TEXT, _("Website"), read_only=True),
    *_address_fields("STREET", _("Street address")),
    *_address_fields("POBOX", _("Postal address")),
    *_phone_fields(),
]

_CONTACT_PERSON_FIELDS = [
    # A Zoho contact becomes a ContactPerson (spec L21518) of its account's Xero contact; a Zoho contact without
    # an account becomes a Xero contact of its own, so the contact fields are offered too.
    XeroField("Name", TEXT, _("Name (contact without account)"), mandatory=True, max_length=255),
    XeroField("ContactNumber", TEXT, _("Contact number (code)"), max_length=50),
    XeroField("FirstName", TEXT, _("First name"), max_length=255),
    XeroField("LastName", TEXT, _("Last name"), max_length=255),
    XeroField("EmailAddress", TEXT, _("Email address"), max_length=255),
    XeroField("IncludeInEmails", BOOLEAN, _("Include in emails")),
    *_address_fields("STREET", _("Street address")),
    *_address_fields("POBOX", _("Postal address")),
    *_phone_fields(),
]

_ITEM_FIELDS = [
    # Item schema (spec L22582, required: Code) and Purchase (SalesDetails/PurchaseDetails).
    XeroField("Code", TEXT, _("Item code"), mandatory=True, max_length=30),
    XeroField("Name", TEXT, _("Name"), max_length=50),
    XeroField("Description", TEXT, _("Sales description"), max_length=4000),
    XeroField("PurchaseDescription", TEXT, _("Purchase description"), max_length=4000),
    XeroField("IsSold", BOOLEAN, _("Sold")),
    XeroField("IsPurchased", BOOLEAN, _("Purchased")),
    XeroField("SalesDetails.UnitPrice", NUMBER, _("Sales unit price")),
    XeroField("SalesDetails.AccountCode", TEXT, _("Sales account")),
    XeroField("SalesDetails.TaxType", TAX, _("Sales tax rate")),
    XeroField("PurchaseDetails.UnitPrice", NUMBER, _("Purchase unit price")),
    XeroField("PurchaseDetails.AccountCode", TEXT, _("Purchase account")),
    XeroField("PurchaseDetails.TaxType", TAX, _("Purchase tax rate")),
    XeroField("QuantityOnHand", NUMBER, _("Quantity on hand"), read_only=True),
]

_INVOICE_FIELDS = [
    # Invoice schema (spec L22324) and LineItem (spec L20668).
    XeroField("Type", ENUM, _("Type"), choices=INVOICE_TYPES, write_only=True),
    XeroField("Contact.ContactID", REFERENCE, _("Contact"), mandatory=True),
    XeroField("InvoiceNumber", TEXT, _("Invoice number"), max_length=255),
    XeroField("Reference", TEXT, _("Reference")),
    XeroField("Date", DATE, _("Date")),
    XeroField("DueDate", DATE, _("Due date")),
    XeroField("Status", ENUM, _("Status"), choices=INVOICE_STATUSES),
    XeroField("LineAmountTypes", ENUM, _("Amounts are"), choices=LINE_AMOUNT_TYPES),
    XeroField("CurrencyCode", TEXT, _("Currency"), max_length=3),
    XeroField("CurrencyRate", NUMBER, _("Currency rate")),
    XeroField("Url", TEXT, _("Link to source document")),
    XeroField("SubTotal", NUMBER, _("Subtotal"), read_only=True),
    XeroField("TotalTax", NUMBER, _("Total tax"), read_only=True),
    XeroField("Total", NUMBER, _("Total"), read_only=True),
    XeroField("AmountDue", NUMBER, _("Amount due"), read_only=True),
    XeroField("AmountPaid", NUMBER, _("Amount paid"), read_only=True),
    XeroField("LineItems[].Description", TEXT, _("Line: description")),
    XeroField("LineItems[].Quantity", NUMBER, _("Line: quantity")),
    XeroField("LineItems[].UnitAmount", NUMBER, _("Line: unit amount")),
    XeroField("LineItems[].ItemCode", REFERENCE, _("Line: item")),
    XeroField("LineItems[].AccountCode", TEXT, _("Line: account")),
    XeroField("LineItems[].TaxType", TAX, _("Line: tax rate")),
    XeroField("LineItems[].TaxAmount", NUMBER, _("Line: tax amount")),
    XeroField("LineItems[].LineAmount", NUMBER, _("Line: amount")),
    XeroField("LineItems[].DiscountRate", NUMBER, _("Line: discount %")),
    XeroField("LineItems[].DiscountAmount", NUMBER, _("Line: discount amount")),
]

XERO_MODULES = {
    "contacts": XeroModule("contacts", "Contact", tuple(_CONTACT_FIELDS)),
    "contact_persons": XeroModule("contact_persons", "ContactPerson", tuple(_CONTACT_PERSON_FIELDS)),
    "items": XeroModule("items", "Item", tuple(_ITEM_FIELDS)),
    "invoices": XeroModule("invoices", "Invoice", tuple(_INVOICE_FIELDS)),
}

# The ContactPerson schema's properties: what the engine sends when a Zoho contact belongs to an account.
CONTACT_PERSON_KEYS = ("FirstName", "LastName", "EmailAddress", "IncludeInEmails")


def xero_module(key: str) -> XeroModule:
    return XERO_MODULES[key]
