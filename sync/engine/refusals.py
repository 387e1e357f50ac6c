"""Which field a provider's refusal is about, and the value and record it names (plain Python).

Zoho CRM says it in its answer (`details.api_name`, and `details.duplicate_record` for DUPLICATE_DATA). Xero says
it only in English sentences (`ValidationErrors[].Message`); the patterns below are those of the Accounting API's
validation messages (and the sandbox's copies of them). A field is returned as the Xero catalogue path of a field
(`LineItems[].TaxType`), never as an API path such as `Invoices[0].LineItems[1].TaxType`: the audit shows its
label in the reader's language (`sync.context.field_label`). The provider's words themselves stay in the audit
entry's details.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    field: str  # a Xero catalogue path, or a Zoho api_name
    value: str = ""
    conflict_id: str = ""  # the conflicting record on the target side (a duplicate), when the provider names it
    duplicate: bool = False


# (pattern, Xero path per module ("*": any), duplicate?) in the order tried; a named group "value" is the value.
_XERO = [
    (r"The TaxType code '?(?P<value>[^' ]*)'? does not exist", {"invoices": "LineItems[].TaxType",
                                                               "products": "SalesDetails.TaxType",
                                                               "accounts": "AccountsReceivableTaxType"}, False),
    (r"TaxType must be specified", {"invoices": "LineItems[].TaxType"}, False),
    (r"Account code '(?P<value>[^']*)' is not a valid code", {"invoices": "LineItems[].AccountCode",
                                                             "products": "SalesDetails.AccountCode"}, False),
    (r"Account code must be specified", {"invoices": "LineItems[].AccountCode"}, False),
    (r"Item code '(?P<value>[^']*)' is not valid", {"invoices": "LineItems[].ItemCode"}, False),
    (r"Price List Item with Code '+(?P<value>[^']*)'+ already exists", {"products": "Code"}, True),
    (r"Item code must (?:be specified|not be longer)", {"products": "Code"}, False),
    (r"The contact name (?P<value>.+?) is already assigned to another contact", {"accounts": "Name",
                                                                                 "contacts": "Name"}, True),
    (r"The contact name must be specified", {"accounts": "Name", "contacts": "Name"}, False),
    (r"Email address must be valid|The Email Address of a contact person", {"accounts": "EmailAddress",
                                                                            "contacts": "EmailAddress"}, False),
    (r"The currency (?P<value>\w+) is not enabled", {"invoices": "CurrencyCode"}, False),
    (r"Invoice # must be unique", {"invoices": "InvoiceNumber"}, True),
    (r"InvoiceNumber must not be longer", {"invoices": "InvoiceNumber"}, False),
    (r"Description must be at least 1 character", {"invoices": "LineItems[].Description"}, False),
    (r"DiscountRate must be between", {"invoices": "LineItems[].DiscountRate"}, False),
    (r"A Contact must be specified|The contact with Contact\w+ (?P<value>\S+) could not be found|"
     r"The contact '(?P<name>[^']*)' has been archived", {"invoices": "Contact.ContactID"}, False),
    (r"LineAmountTypes must be", {"invoices": "LineAmountTypes"}, False),
    (r"(?:The )?(?P<field>[A-Z][A-Za-z]+) must not be longer than", {"*": ""}, False),
]
_XERO = [(re.compile(pattern), paths, duplicate) for pattern, paths, duplicate in _XERO]


def zoho_refusal(response) -> Refusal | None:
    """The field (api_name), and for DUPLICATE_DATA the record that already has the value, of a Zoho refusal."""
    if not isinstance(response, dict):
        return None
    details = response.get("details") if isinstance(response.get("details"), dict) else {}
    field = details.get("api_name")
    if not isinstance(field, str) or not field:
        return None
    duplicate = details.get("duplicate_record") if isinstance(details.get("duplicate_record"), dict) else {}
    return Refusal(field=field, conflict_id=str(duplicate.get("id") or ""),
                   duplicate=str(response.get("code") or "") == "DUPLICATE_DATA" or bool(duplicate))


def xero_refusal(module: str, message: str) -> Refusal | None:
    """The field of the first Xero validation message in `message` that names one (see `_XERO`), else None."""
    for pattern, paths, duplicate in _XERO:
        match = pattern.search(message or "")
        if not match:
            continue
        groups = match.groupdict()
        path = paths.get(module, paths.get("*"))
        if path == "" and groups.get("field"):
            path = groups["field"]
        if not path:
            continue
        return Refusal(field=path, value=str(groups.get("value") or groups.get("name") or ""), duplicate=duplicate)
    return None


def line_of(payload: dict | None, path: str, value: str) -> int | None:
    """The number (from 1) of the payload's first line whose `path` field (`LineItems[].X`) has `value`."""
    if not path.startswith("LineItems[]."):
        return None
    key = path.removeprefix("LineItems[].")
    for number, line in enumerate((payload or {}).get("LineItems") or [], start=1):
        if isinstance(line, dict) and (str(line.get(key) or "") == value or (not value and not line.get(key))):
            return number
    return None
