"""What Zoho CRM would refuse in a planned write, checked before anything is sent (plain Python).

The planner runs these checks for every create and update towards Zoho, so the dry run (which plans) and the job
(which plans, then writes) refuse the same records with the same reason. `fields` is the organisation's Zoho field
metadata of the module, by API name (line-item fields carry the prefix ``Invoiced_Items[].``):
``{"label", "mandatory", "length", "read_only"}``; without metadata nothing is checked.
"""

from . import messages
from .operations import CREATE, UPDATE, Operation

EMPTY = (None, "", [], {})


def _label(fields: dict, api_name: str) -> str:
    return str((fields.get(api_name) or {}).get("label") or api_name.rpartition(".")[2])


def check_for_zoho(operation: Operation, fields: dict | None, line_subform: str | None) -> Operation | None:
    """The operation, failed with the first problem's message, or None when Zoho would accept the payload."""
    if not fields or operation.action not in (CREATE, UPDATE) or operation.payload is None:
        return None
    payload = operation.payload
    prefix = f"{line_subform}[]." if line_subform else None
    for api_name, field in fields.items():
        if field.get("read_only") or (prefix and api_name.startswith(prefix)):
            continue
        if operation.action == UPDATE and api_name not in payload:
            continue  # an update leaves the fields it does not send as they are
        value = payload.get(api_name)
        if field.get("mandatory") and value in EMPTY:
            contact = (operation.source or {}).get("Contact") or {}
            if api_name == "Account_Name" and isinstance(contact, dict) and contact.get("ContactID"):
                # the invoice's Xero contact has no Zoho account yet: the invoice waits on it
                return operation.fail(messages.WAITS_FOR_CONTACT, field=_label(fields, api_name),
                                      value=str(contact.get("Name") or contact["ContactID"]),
                                      dependency=messages.CONTACT)
            return operation.fail(messages.ZOHO_VALUE_MISSING, field=_label(fields, api_name), value="")
        if problem := _too_long(operation, fields, api_name, payload.get(api_name)):
            return problem
    if prefix:
        return _check_lines(operation, fields, prefix, payload.get(line_subform) or [])
    return None


def _too_long(operation, fields, api_name, value) -> Operation | None:
    length = (fields.get(api_name) or {}).get("length")
    if isinstance(value, str) and isinstance(length, int) and length and len(value) > length:
        return operation.fail(messages.ZOHO_VALUE_TOO_LONG, field=_label(fields, api_name), value=value,
                              length=len(value), max=length)
    return None


def _check_lines(operation, fields, prefix, lines) -> Operation | None:
    source_lines = [line for line in (operation.source or {}).get("LineItems") or [] if isinstance(line, dict)]
    for number, line in enumerate(lines, start=1):
        source_line = source_lines[number - 1] if number <= len(source_lines) else {}
        for api_name, field in fields.items():
            if not api_name.startswith(prefix) or field.get("read_only"):
                continue
            name = api_name.removeprefix(prefix)
            if field.get("mandatory") and line.get(name) in EMPTY:
                return _line_missing(operation, fields, api_name, name, number, line, source_line)
            if problem := _too_long(operation, fields, api_name, line.get(name)):
                problem.params["line"] = number
                return problem
    return None


def _line_missing(operation, fields, api_name, name, number, line, source_line) -> Operation:
    label = _label(fields, api_name)
    description = str(line.get("Description") or source_line.get("Description") or "")
    if name == "Product_Name":
        item_code = source_line.get("ItemCode")
        if item_code not in EMPTY:  # the line's item has no Zoho product yet: the invoice waits on it
            return operation.fail(messages.WAITS_FOR_PRODUCT, field=label, value=str(item_code), line=number,
                                  dependency=messages.PRODUCT)
        return operation.fail(messages.ITEMLESS_LINE_NO_PRODUCT, field=label, value=description, line=number)
    return operation.fail(messages.ZOHO_LINE_VALUE_MISSING, field=label, value=description, line=number)
