"""The modules and fields the Zoho emulator knows (Accounts, Contacts, Products, Invoices).

One `Field` per API name, with the metadata `/settings/fields` returns and the rules the record
service validates against (zoho.md §3 and §4). `Invoiced_Items` is the line-item subform of Invoices.
"""

import dataclasses

MODULES = ("Accounts", "Contacts", "Products", "Invoices")
SUBFORM_MODULE = "Invoiced_Items"

JSON_TYPES = {
    "text": "string", "textarea": "string", "email": "string", "phone": "string", "website": "string",
    "picklist": "string", "multiselectpicklist": "jsonarray", "lookup": "jsonobject",
    "ownerlookup": "jsonobject", "currency": "double", "double": "double", "integer": "integer",
    "boolean": "boolean", "date": "string", "datetime": "string", "subform": "jsonarray",
    "formula": "double", "jsonarray": "jsonarray", "bigint": "string", "autonumber": "string",
    "linetax": "jsonarray",
}

# `length` of the field types that carry no length of their own, as the field-metadata samples of Zoho's
# "Fields Metadata" document show them (a positive number for every type; never 0, which Zoho's SDKs read as
# "no such field"). Text types give their own length.
DEFAULT_LENGTHS = {
    "lookup": 120, "ownerlookup": 120, "picklist": 120, "multiselectpicklist": 2000, "boolean": 5,
    "date": 20, "datetime": 120, "currency": 16, "double": 16, "integer": 9, "bigint": 18, "subform": 5,
    "autonumber": 50, "formula": 16, "jsonarray": 2000, "linetax": 2000, "website": 255,
}


@dataclasses.dataclass(frozen=True)
class Field:
    api_name: str
    label: str
    data_type: str
    length: int | None = None
    mandatory: bool = False
    unique: bool = False
    custom: bool = False
    read_only: bool = False
    picklist: tuple = ()
    lookup: str | None = None  # module api_name for lookups
    decimal_place: int | None = None
    external: bool = False  # an external-id field (X-EXTERNAL)

    @property
    def json_type(self) -> str:
        return JSON_TYPES[self.data_type]

    @property
    def max_length(self) -> int:
        return self.length or DEFAULT_LENGTHS.get(self.data_type, 255)


def _text(api_name, label, length=255, **kw):
    return Field(api_name, label, "text", length=length, **kw)


def _address(prefix, label_prefix, code="Code"):
    return [
        Field(f"{prefix}_Street", f"{label_prefix} Street", "textarea", length=250),
        _text(f"{prefix}_City", f"{label_prefix} City", 100),
        _text(f"{prefix}_State", f"{label_prefix} State", 100),
        _text(f"{prefix}_{code}", f"{label_prefix} {'Zip' if code == 'Zip' else 'Code'}", 30),
        _text(f"{prefix}_Country", f"{label_prefix} Country", 100),
    ]


_SYSTEM = [
    Field("Owner", "Account Owner", "ownerlookup"),
    Field("Created_By", "Created By", "ownerlookup", read_only=True),
    Field("Modified_By", "Modified By", "ownerlookup", read_only=True),
    Field("Created_Time", "Created Time", "datetime", read_only=True),
    Field("Modified_Time", "Modified Time", "datetime", read_only=True),
]

CURRENCIES = ("EUR", "GBP", "USD", "AUD", "NZD", "CHF")
INVOICE_STATUSES = ("Created", "Approved", "Delivered", "Paid", "Cancelled")

FIELDS: dict[str, list[Field]] = {
    "Accounts": [
        _text("Account_Name", "Account Name", 200, mandatory=True),  # Zoho allows duplicate names by default
        _text("Account_Number", "Account Number", 40),
        Field("Account_Type", "Account Type", "picklist", picklist=(
            "-None-", "Analyst", "Competitor", "Customer", "Distributor", "Integrator", "Investor",
            "Partner", "Press", "Prospect", "Reseller", "Supplier", "Vendor", "Other")),
        Field("Phone", "Phone", "phone", length=30),
        Field("Fax", "Fax", "phone", length=30),
        Field("Website", "Website", "website", length=255),
        *_address("Billing", "Billing"),
        *_address("Shipping", "Shipping"),
        Field("Description", "Description", "textarea", length=32000),
        _text("Xero_Contact_ID", "Xero Contact ID", 100, unique=True, custom=True, external=True),
        _text("Tax_Number", "Tax Number", 50, custom=True),
        *_SYSTEM,
    ],
    "Contacts": [
        _text("First_Name", "First Name", 40),
        _text("Last_Name", "Last Name", 80, mandatory=True),
        _text("Full_Name", "Full Name", 120, read_only=True),
        Field("Email", "Email", "email", length=100, unique=True),
        Field("Secondary_Email", "Secondary Email", "email", length=100),
        Field("Phone", "Phone", "phone", length=30),
        Field("Mobile", "Mobile", "phone", length=30),
        _text("Title", "Title", 100),
        _text("Department", "Department", 100),
        Field("Account_Name", "Account Name", "lookup", lookup="Accounts"),
        *_address("Mailing", "Mailing", code="Zip"),
        Field("Description", "Description", "textarea", length=32000),
        Field("Email_Opt_Out", "Email Opt Out", "boolean"),
        *_SYSTEM,
    ],
    "Products": [
        _text("Product_Name", "Product Name", 200, mandatory=True, unique=True),
        _text("Product_Code", "Product Code", 40, unique=True),
        Field("Unit_Price", "Unit Price", "currency", decimal_place=2, length=16),
        Field("Taxable", "Taxable", "boolean"),
        Field("Tax", "Tax", "multiselectpicklist"),  # values: the org's taxes (see taxes_picklist)
        Field("Product_Active", "Product Active", "boolean"),
        Field("Qty_in_Stock", "Qty in Stock", "double", decimal_place=2, length=16),
        Field("Usage_Unit", "Usage Unit", "picklist", picklist=(
            "-None-", "Box", "Carton", "Dozen", "Each", "Hours", "Impressions", "Lb", "M", "Pack",
            "Pages", "Pieces", "Quantity", "Reams", "Sheet", "Sq Ft")),
        Field("Product_Category", "Product Category", "picklist", picklist=(
            "-None-", "Hardware", "Software", "Services", "Consumables")),
        Field("Description", "Description", "textarea", length=32000),
        _text("Xero_Item_ID", "Xero Item ID", 100, unique=True, custom=True, external=True),
        *_SYSTEM,
    ],
    "Invoices": [
        _text("Subject", "Subject", 120, mandatory=True),
        Field("Invoice_Number", "Invoice Number", "autonumber", length=50, read_only=True),
        Field("Invoice_Date", "Invoice Date", "date"),
        Field("Due_Date", "Due Date", "date"),
        Field("Status", "Status", "picklist", picklist=("-None-", *INVOICE_STATUSES)),
        Field("Account_Name", "Account Name", "lookup", lookup="Accounts", mandatory=True),
        Field("Contact_Name", "Contact Name", "lookup", lookup="Contacts"),
        _text("Purchase_Order", "Purchase Order", 100),
        Field("Currency", "Currency", "picklist", picklist=CURRENCIES),
        *_address("Billing", "Billing"),
        *_address("Shipping", "Shipping"),
        Field("Invoiced_Items", "Invoiced Items", "subform", mandatory=True),
        Field("Sub_Total", "Sub Total", "currency", read_only=True, decimal_place=2, length=16),
        Field("Discount", "Discount", "currency", decimal_place=2, length=16),
        Field("Tax", "Tax", "currency", read_only=True, decimal_place=2, length=16),
        Field("Adjustment", "Adjustment", "currency", decimal_place=2, length=16),
        Field("Grand_Total", "Grand Total", "currency", read_only=True, decimal_place=2, length=16),
        Field("Terms_and_Conditions", "Terms and Conditions", "textarea", length=32000),
        Field("Description", "Description", "textarea", length=32000),
        _text("Xero_Invoice_ID", "Xero Invoice ID", 100, unique=True, custom=True, external=True),
        *_SYSTEM,
    ],
    SUBFORM_MODULE: [
        Field("Product_Name", "Product Name", "lookup", lookup="Products", mandatory=True),
        Field("Quantity", "Quantity", "double", mandatory=True, decimal_place=2, length=16),
        Field("List_Price", "List Price", "currency", decimal_place=2, length=16),
        Field("Discount", "Discount", "currency", decimal_place=2, length=16),
        Field("Description", "Description", "textarea", length=2000),
        Field("Line_Tax", "Tax", "linetax"),
        Field("Total", "Amount", "currency", read_only=True, decimal_place=2, length=16),
        Field("Total_After_Discount", "Total After Discount", "currency", read_only=True, decimal_place=2,
              length=16),
        Field("Net_Total", "Total", "currency", read_only=True, decimal_place=2, length=16),
    ],
}

# The record's display name ("name" of lookups) and the default upsert duplicate-check field.
DISPLAY_FIELD = {"Accounts": "Account_Name", "Contacts": "Full_Name", "Products": "Product_Name",
                 "Invoices": "Subject"}
SYSTEM_DUPLICATE_KEY = {"Accounts": "Account_Name", "Contacts": "Email", "Products": "Product_Name",
                        "Invoices": "Subject"}
SINGULAR = {"Accounts": "Account", "Contacts": "Contact", "Products": "Product", "Invoices": "Invoice"}
# Real Zoho module ids are org specific; stable numbers keep the sandbox reproducible.
MODULE_IDS = {"Accounts": "4876876000000002177", "Contacts": "4876876000000002179",
              "Products": "4876876000000002185", "Invoices": "4876876000000002193",
              SUBFORM_MODULE: "4876876000000002195"}
SYSTEM_FIELDS = {"id", "Owner", "Created_By", "Modified_By", "Created_Time", "Modified_Time"}


def fields_of(module: str) -> list[Field]:
    return FIELDS[module]


def field_map(module: str) -> dict[str, Field]:
    return {field.api_name: field for field in FIELDS[module]}


def canonical_module(name: str) -> str | None:
    """Module API names are case-insensitive in URLs (Zoho accepts `accounts`)."""
    for module in MODULES:
        if module.lower() == (name or "").lower():
            return module
    return None


def field_id(module: str, api_name: str) -> str:
    """A stable Zoho-style id per field."""
    names = [field.api_name for field in FIELDS[module]]
    return str(4876876000000100000 + list(FIELDS).index(module) * 1000 + names.index(api_name))


def unique_fields(module: str) -> list[str]:
    return [field.api_name for field in FIELDS[module] if field.unique]
