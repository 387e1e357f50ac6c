"""Default mappings for every module and direction, so sync works without opening the editor.

Zoho API names from the Zoho digest (section 4); Xero paths from mapping.catalogue. A Zoho record's own ``id`` goes
into the Xero ``ContactNumber`` (an API-only external key, see the Xero digest) so a contact can be found again.
"""

import copy

from .registry import XERO_TO_ZOHO, ZOHO_TO_XERO

MAPPING_VERSION = 1

# Zoho's invoice statuses (the sandbox's picklist: Created, Approved, Delivered, Paid, Cancelled). Xero sets PAID
# itself when payments cover the invoice, so a paid Zoho invoice is sent as AUTHORISED.
INVOICE_STATUS_TO_XERO = {
    "Created": "DRAFT",
    "Approved": "AUTHORISED",
    "Delivered": "AUTHORISED",
    "Paid": "AUTHORISED",
    "Cancelled": "VOIDED",
}
INVOICE_STATUS_TO_ZOHO = {
    "DRAFT": "Created",
    "SUBMITTED": "Created",
    "AUTHORISED": "Approved",
    "PAID": "Paid",
    "VOIDED": "Cancelled",
    "DELETED": "Cancelled",
}


def _r(xero, zoho=None, **extra):
    rule = {"xero": xero}
    if zoho is not None:
        rule["zoho"] = zoho
    rule.update(extra)
    return rule


def _pairs(pairs, direction):
    """Plain field-to-field rules; a street spreads over the address lines, and phones read from Xero carry their
    country and area codes."""
    rules = []
    for xero, zoho in pairs:
        if xero.endswith(".AddressLine1"):
            rules.append(_r(xero, zoho, transform={"kind": "address_lines"}))
        elif direction == XERO_TO_ZOHO and xero.startswith("Phones[") and xero.endswith(".PhoneNumber"):
            rules.append(_r(xero, zoho, transform={"kind": "phone"}))
        else:
            rules.append(_r(xero, zoho))
    return rules


def _address(xero_kind, zoho_prefix, code_suffix):
    return [
        (f"Addresses[{xero_kind}].AddressLine1", f"{zoho_prefix}_Street"),
        (f"Addresses[{xero_kind}].City", f"{zoho_prefix}_City"),
        (f"Addresses[{xero_kind}].Region", f"{zoho_prefix}_State"),
        (f"Addresses[{xero_kind}].PostalCode", f"{zoho_prefix}_{code_suffix}"),
        (f"Addresses[{xero_kind}].Country", f"{zoho_prefix}_Country"),
    ]


_ACCOUNT_PAIRS = [
    ("Name", "Account_Name"),
    ("AccountNumber", "Account_Number"),
    ("Phones[DEFAULT].PhoneNumber", "Phone"),
    ("Phones[FAX].PhoneNumber", "Fax"),
    ("DefaultCurrency", "Currency"),
    *_address("POBOX", "Billing", "Code"),
    *_address("STREET", "Shipping", "Code"),
]

_CONTACT_PAIRS = [
    ("FirstName", "First_Name"),
    ("EmailAddress", "Email"),
    ("Phones[DEFAULT].PhoneNumber", "Phone"),
    ("Phones[MOBILE].PhoneNumber", "Mobile"),
    ("Phones[FAX].PhoneNumber", "Fax"),
    *_address("POBOX", "Mailing", "Zip"),
]

_PRODUCT_PAIRS = [("Code", "Product_Code"), ("Description", "Description")]

_INVOICE_PAIRS = [("Date", "Invoice_Date"), ("DueDate", "Due_Date"), ("CurrencyCode", "Currency")]
_LINE_PAIRS = [
    ("LineItems[].Description", "Invoiced_Items[].Description"),
    ("LineItems[].Quantity", "Invoiced_Items[].Quantity"),
    ("LineItems[].DiscountAmount", "Invoiced_Items[].Discount"),
]

_LOOKUP_CONTACT = {"kind": "lookup", "modules": ["Accounts", "Contacts"]}

DEFAULT_RULES = {
    ("accounts", ZOHO_TO_XERO): [
        *_pairs(_ACCOUNT_PAIRS, ZOHO_TO_XERO),
        _r("ContactNumber", "id"),
    ],
    ("accounts", XERO_TO_ZOHO): [
        *_pairs(_ACCOUNT_PAIRS, XERO_TO_ZOHO),
        _r("Website", "Website"),
    ],
    ("contacts", ZOHO_TO_XERO): [
        _r("Name", ["First_Name", "Last_Name"], transform={"kind": "join", "separator": " "}),
        _r("LastName", "Last_Name"),
        *_pairs(_CONTACT_PAIRS, ZOHO_TO_XERO),
        _r("IncludeInEmails", "Email_Opt_Out", transform={"kind": "not"}),
        _r("ContactNumber", "id"),
    ],
    ("contacts", XERO_TO_ZOHO): [
        # A Xero contact without person names still needs a Zoho Last_Name: take the contact's Name.
        _r("LastName", "Last_Name", fallback="Name"),
        *_pairs(_CONTACT_PAIRS, XERO_TO_ZOHO),
        _r("IncludeInEmails", "Email_Opt_Out", transform={"kind": "not"}),
    ],
    ("products", ZOHO_TO_XERO): [
        *_pairs(_PRODUCT_PAIRS, ZOHO_TO_XERO),
        _r("Name", "Product_Name", transform={"kind": "truncate", "length": 50}),
        _r("SalesDetails.UnitPrice", "Unit_Price", transform={"kind": "round", "places": 4}),
        _r("SalesDetails.TaxType", "Tax", transform={"kind": "tax", "zoho_shape": "product_tax"}),
        _r("SalesDetails.AccountCode", transform={"kind": "account_code"}),
    ],
    ("products", XERO_TO_ZOHO): [
        *_pairs(_PRODUCT_PAIRS, XERO_TO_ZOHO),
        _r("Name", "Product_Name"),
        _r("SalesDetails.UnitPrice", "Unit_Price"),
        _r("SalesDetails.TaxType", "Tax", transform={"kind": "tax", "zoho_shape": "product_tax"}),
    ],
    ("invoices", ZOHO_TO_XERO): [
        _r("Type", constant="ACCREC"),
        _r("Contact.ContactID", ["Account_Name", "Contact_Name"], transform=_LOOKUP_CONTACT),
        _r("InvoiceNumber", "Invoice_Number"),
        _r("Reference", "Subject"),
        *_pairs(_INVOICE_PAIRS, ZOHO_TO_XERO),
        _r(
            "Status",
            "Status",
            transform={"kind": "value_table", "table": INVOICE_STATUS_TO_XERO, "default": "DRAFT"},
        ),
        _r("LineAmountTypes", transform={"kind": "tax_mode"}),
        _r(
            "LineItems[].ItemCode",
            "Invoiced_Items[].Product_Name",
            transform={"kind": "lookup", "modules": ["Products"]},
        ),
        *[_r(xero, zoho) for xero, zoho in _LINE_PAIRS if xero != "LineItems[].Description"],
        _r(
            "LineItems[].Description",
            "Invoiced_Items[].Description",
            fallback="Invoiced_Items[].Product_Name.name",
        ),
        _r("LineItems[].UnitAmount", "Invoiced_Items[].List_Price", transform={"kind": "round", "places": 4}),
        _r(
            "LineItems[].TaxType",
            "Invoiced_Items[].Line_Tax",
            transform={"kind": "tax", "zoho_shape": "line_tax"},
        ),
        _r("LineItems[].AccountCode", transform={"kind": "account_code"}),
    ],
    ("invoices", XERO_TO_ZOHO): [
        _r("Contact.ContactID", ["Account_Name", "Contact_Name"], transform=_LOOKUP_CONTACT),
        _r("Reference", "Subject", fallback="InvoiceNumber"),
        *_pairs(_INVOICE_PAIRS, XERO_TO_ZOHO),
        _r("Status", "Status", transform={"kind": "value_table", "table": INVOICE_STATUS_TO_ZOHO}),
        _r(
            "LineItems[].ItemCode",
            "Invoiced_Items[].Product_Name",
            transform={"kind": "lookup", "modules": ["Products"]},
        ),
        *_pairs(_LINE_PAIRS, XERO_TO_ZOHO),
        _r("LineItems[].UnitAmount", "Invoiced_Items[].List_Price"),
        _r(
            "LineItems[].TaxType",
            "Invoiced_Items[].Line_Tax",
            transform={"kind": "tax", "zoho_shape": "line_tax"},
        ),
    ],
}


def default_mapping(module: str, direction: str) -> dict:
    """A fresh copy of the default mapping (safe to edit)."""
    return {"version": MAPPING_VERSION, "rules": copy.deepcopy(DEFAULT_RULES[(module, direction)])}
