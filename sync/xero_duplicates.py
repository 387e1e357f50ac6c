"""Which Xero record a refused duplicate collides with, so its audit entry names and links it.

Zoho CRM says which record already holds a value (`details.duplicate_record`); Xero only says the value, in an
English validation message (engine.refusals, duplicate patterns): "Price List Item with Code ''X'' already exists"
(items: codes are unique, case-insensitively), "The contact name X is already assigned to another contact"
(contacts: names are unique among active contacts), "Invoice # must be unique." (sales invoices: the number, which
the message leaves out, is the one we sent). After a batch write, the refused duplicates of the batch are looked
up together, one read per batch and module (GET /Items, or `where` queries of up to 15 values), never per record,
and the record found (not the one written, for an update) is set on the result (`conflict_id`, `conflict_name`).
"""

from .engine import refusals
from .engine.modules import spec

WHERE_CHUNK = 15  # values per `where` query, as the gateway's matching reads (the URL stays short)


def _quote(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name_of(module: str, record: dict) -> str:
    if spec(module).xero_collection == "Invoices":
        contact = (record.get("Contact") or {}).get("Name")
        number = str(record.get("InvoiceNumber") or "")
        return f"{number} ({contact})" if contact else number
    return str(record.get("Name") or record.get("Code") or "")


def _where(client_read, field: str, values: list[str]) -> list[dict]:
    rows = []
    for start in range(0, len(values), WHERE_CHUNK):
        where = " OR ".join(f"{field}=={_quote(value)}" for value in values[start : start + WHERE_CHUNK])
        rows.extend(client_read(where=where))
    return rows


def _holders(gateway, module: str, field: str, values: list[str]) -> list[dict]:
    """The Xero records of the module that hold one of `values` in `field`, as Xero's uniqueness counts them."""
    collection = spec(module).xero_collection
    if collection == "Items":
        return gateway._items()  # one GET /Items: every item (no `where` on Items needed)
    if collection == "Contacts":  # active contacts only (archived ones may share a name)
        return [row for row in _where(gateway.client.iter_contacts, field, values)
                if row.get("ContactStatus", "ACTIVE") == "ACTIVE"]
    return [row for row in _where(gateway.client.iter_invoices, field, values)
            if row.get("Type", "ACCREC") == "ACCREC" and row.get("Status") != "DELETED"]


def link_conflicts(gateway, module: str, elements: list[dict], results) -> None:
    """Set `conflict_id` and `conflict_name` on the results (WriteResult, in the elements' order) that Xero refused
    as duplicates, when the record holding the value is found."""
    wanted = {}  # position -> (field, value)
    for position, (element, result) in enumerate(zip(elements, results, strict=False)):
        if result.ok:
            continue
        refusal = refusals.xero_refusal(module, result.error_message)
        if refusal is None or not refusal.duplicate or "[" in refusal.field:
            continue
        value = (refusal.value or str(element.get(refusal.field) or "")).strip()
        if value:
            wanted[position] = (refusal.field, value)
    fields = {field for field, _value in wanted.values()}
    if not wanted or len(fields) != 1:  # one module's duplicates are about one field
        return
    [field] = fields
    holders: dict[str, list[dict]] = {}
    for row in _holders(gateway, module, field, sorted({value for _field, value in wanted.values()})):
        holders.setdefault(str(row.get(field) or "").strip().casefold(), []).append(row)
    id_field = spec(module).xero_id_field
    for position, (_field, value) in wanted.items():
        own = str(elements[position].get(id_field) or "")
        record = next((row for row in holders.get(value.casefold(), []) if str(row.get(id_field) or "") != own),
                      None)
        if record is not None and record.get(id_field):
            results[position].conflict_id = str(record[id_field])
            results[position].conflict_name = _name_of(module, record)
