"""Zoho CRM fields as the mapping sees them: normalised from the v8 fields metadata (GET /settings/fields).

A normalised field is a plain dict (JSON-friendly, cached per organisation):
``{"api_name", "label", "data_type", "kind", "custom", "mandatory", "read_only", "length", "picklist",
"lookup_module", "subform_module"}``. Fields of a line-item subform carry the prefix ``Invoiced_Items[].``.

Until an organisation has refreshed its fields, the standard fields below stand in (API names from the Zoho
SDK's record/field.py classes, see shared/reference/zoho.md section 4), so the editor and the defaults work.
"""

TEXT = "text"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
BOOLEAN = "boolean"
PICKLIST = "picklist"
MULTISELECT = "multiselect"
LOOKUP = "lookup"
SUBFORM = "subform"
TAX = "tax"
OTHER = "other"

_KIND_BY_DATA_TYPE = {
    "text": TEXT,
    "textarea": TEXT,
    "email": TEXT,
    "phone": TEXT,
    "website": TEXT,
    "autonumber": TEXT,
    "picklist": PICKLIST,
    "multiselectpicklist": MULTISELECT,
    "lookup": LOOKUP,
    "ownerlookup": LOOKUP,
    "userlookup": LOOKUP,
    "currency": NUMBER,
    "double": NUMBER,
    "integer": NUMBER,
    "bigint": NUMBER,
    "decimal": NUMBER,
    "percent": NUMBER,
    "boolean": BOOLEAN,
    "date": DATE,
    "datetime": DATETIME,
    "subform": SUBFORM,
    "line_tax": TAX,
}
_KIND_BY_JSON_TYPE = {"string": TEXT, "double": NUMBER, "integer": NUMBER, "boolean": BOOLEAN}


def field_kind(raw: dict) -> str:
    data_type = (raw.get("data_type") or "").lower()
    api_name = raw.get("api_name") or ""
    # The taxes of a product (multi-select of the org's taxes) and of a line (Line_Tax) carry tax names + rates.
    if api_name == "Line_Tax" or (api_name == "Tax" and data_type == "multiselectpicklist"):
        return TAX
    if data_type == "formula":
        return _KIND_BY_JSON_TYPE.get((raw.get("json_type") or "").lower(), OTHER)
    return _KIND_BY_DATA_TYPE.get(data_type, OTHER)


def normalise_field(raw: dict, prefix: str = "") -> dict:
    """One raw v8 field item -> the cached shape."""
    lookup = raw.get("lookup") or {}
    subform = raw.get("subform") or {}
    picklist = [
        value.get("actual_value") or value.get("display_value")
        for value in raw.get("pick_list_values") or []
        if value.get("type", "used") != "unused"
    ]
    return {
        "api_name": prefix + raw["api_name"],
        "label": raw.get("field_label") or raw.get("display_label") or raw["api_name"],
        "data_type": raw.get("data_type") or "",
        "kind": field_kind(raw),
        "custom": bool(raw.get("custom_field")),
        "mandatory": bool(raw.get("system_mandatory")),
        "read_only": bool(raw.get("read_only") or raw.get("field_read_only")),
        "length": raw.get("length"),
        "picklist": [value for value in picklist if value],
        "lookup_module": ((lookup.get("module") or {}).get("api_name")) if lookup else None,
        "subform_module": (subform.get("module") if isinstance(subform.get("module"), str) else None)
        if subform
        else None,
    }


def normalise_fields(raw_fields: list[dict], prefix: str = "") -> list[dict]:
    return [normalise_field(raw, prefix) for raw in raw_fields if raw.get("api_name")]


def _f(api_name, label, data_type, **extra):
    raw = {"api_name": api_name, "field_label": label, "data_type": data_type}
    if "lookup" in extra:
        raw["lookup"] = {"module": {"api_name": extra.pop("lookup")}}
    if "picklist" in extra:
        raw["pick_list_values"] = [{"actual_value": v, "display_value": v} for v in extra.pop("picklist")]
    if "subform" in extra:
        raw["subform"] = {"module": extra.pop("subform")}
    raw.update(extra)
    return raw


def _address(prefix, label):
    return [
        _f(f"{prefix}_Street", f"{label} Street", "textarea"),
        _f(f"{prefix}_City", f"{label} City", "text"),
        _f(f"{prefix}_State", f"{label} State", "text"),
        _f(f"{prefix}_{'Zip' if prefix in ('Mailing', 'Other') else 'Code'}", f"{label} Code", "text"),
        _f(f"{prefix}_Country", f"{label} Country", "text"),
    ]


STANDARD_FIELDS = {
    "Accounts": [
        _f("Account_Name", "Account Name", "text", system_mandatory=True, length=200),
        _f("Account_Number", "Account Number", "text", length=40),
        _f(
            "Account_Type", "Account Type", "picklist", picklist=["Customer", "Partner", "Reseller", "Vendor"]
        ),
        _f("Phone", "Phone", "phone", length=30),
        _f("Fax", "Fax", "phone", length=30),
        _f("Website", "Website", "website", length=255),
        _f("Industry", "Industry", "picklist", picklist=[]),
        _f("Employees", "Employees", "integer"),
        _f("Annual_Revenue", "Annual Revenue", "currency"),
        _f("Parent_Account", "Parent Account", "lookup", lookup="Accounts"),
        _f("Currency", "Currency", "picklist", picklist=[]),
        *_address("Billing", "Billing"),
        *_address("Shipping", "Shipping"),
        _f("Description", "Description", "textarea"),
    ],
    "Contacts": [
        _f("First_Name", "First Name", "text", length=40),
        _f("Last_Name", "Last Name", "text", system_mandatory=True, length=80),
        _f("Full_Name", "Full Name", "text", read_only=True),
        _f("Email", "Email", "email"),
        _f("Secondary_Email", "Secondary Email", "email"),
        _f("Phone", "Phone", "phone", length=30),
        _f("Mobile", "Mobile", "phone", length=30),
        _f("Home_Phone", "Home Phone", "phone", length=30),
        _f("Other_Phone", "Other Phone", "phone", length=30),
        _f("Fax", "Fax", "phone", length=30),
        _f("Title", "Title", "text"),
        _f("Department", "Department", "text"),
        _f("Account_Name", "Account Name", "lookup", lookup="Accounts"),
        _f("Email_Opt_Out", "Email Opt Out", "boolean"),
        _f("Date_of_Birth", "Date of Birth", "date"),
        *_address("Mailing", "Mailing"),
        *_address("Other", "Other"),
        _f("Description", "Description", "textarea"),
    ],
    "Products": [
        _f("Product_Name", "Product Name", "text", system_mandatory=True, length=120),
        _f("Product_Code", "Product Code", "text", length=40),
        _f("Unit_Price", "Unit Price", "currency"),
        _f("Taxable", "Taxable", "boolean"),
        _f("Tax", "Tax", "multiselectpicklist"),
        _f("Product_Active", "Product Active", "boolean"),
        _f("Product_Category", "Product Category", "picklist", picklist=[]),
        _f("Usage_Unit", "Usage Unit", "picklist", picklist=[]),
        _f("Qty_in_Stock", "Qty in Stock", "double"),
        _f("Vendor_Name", "Vendor Name", "lookup", lookup="Vendors"),
        _f("Description", "Description", "textarea"),
    ],
    "Invoices": [
        _f("Subject", "Subject", "text", system_mandatory=True, length=255),
        _f("Invoice_Number", "Invoice Number", "autonumber", read_only=True),
        _f("Invoice_Date", "Invoice Date", "date"),
        _f("Due_Date", "Due Date", "date"),
        _f(
            "Status", "Status", "picklist", picklist=["Created", "Approved", "Delivered", "Paid", "Cancelled"]
        ),
        _f("Account_Name", "Account Name", "lookup", lookup="Accounts", system_mandatory=True),
        _f("Contact_Name", "Contact Name", "lookup", lookup="Contacts"),
        _f("Sales_Order", "Sales Order", "lookup", lookup="Sales_Orders"),
        _f("Purchase_Order", "Purchase Order", "text"),
        _f("Currency", "Currency", "picklist", picklist=[]),
        _f("Exchange_Rate", "Exchange Rate", "decimal"),
        _f("Sub_Total", "Sub Total", "currency", read_only=True),
        _f("Discount", "Discount", "currency"),
        _f("Tax", "Tax", "currency", read_only=True),
        _f("Adjustment", "Adjustment", "currency"),
        _f("Grand_Total", "Grand Total", "currency", read_only=True),
        *_address("Billing", "Billing"),
        *_address("Shipping", "Shipping"),
        _f("Terms_and_Conditions", "Terms and Conditions", "textarea"),
        _f("Description", "Description", "textarea"),
        _f("Invoiced_Items", "Invoiced Items", "subform", subform="Invoiced_Items"),
    ],
    "Invoiced_Items": [
        _f("Product_Name", "Product Name", "lookup", lookup="Products", system_mandatory=True),
        _f("Description", "Description", "textarea"),
        _f("Quantity", "Quantity", "double", system_mandatory=True),
        _f("List_Price", "List Price", "currency"),
        _f("Discount", "Discount", "currency"),
        _f("Total", "Total", "currency", read_only=True),
        _f("Net_Total", "Net Total", "currency", read_only=True),
        _f("Line_Tax", "Tax", "line_tax"),
    ],
}


def standard_fields(
    zoho_module: str, line_module: str | None = None, line_subform: str | None = None
) -> list[dict]:
    fields = normalise_fields(STANDARD_FIELDS.get(zoho_module, []))
    if line_module and line_subform:
        fields += normalise_fields(STANDARD_FIELDS.get(line_module, []), prefix=f"{line_subform}[].")
    return fields
