"""A failure's field by its label: what the audit message shows instead of an API name or path.

Engine operations carry the field a failure is about as the provider or the mapping named it: a Zoho api_name
(`Product_Name`, a line field of the `Invoiced_Items` subform) or a Xero path (`LineItems[].TaxType`, or an API
path such as `Invoices[0].LineItems[1].TaxType`). The audit entry stores the field's label instead: Zoho's own
label from the organisation's field metadata, or the portal's untranslated label of the Xero field (a msgid,
which `audit.models.translate_message` shows in the reader's language).
"""

from mapping.registry import xero_field_label

from .engine import messages
from .engine.modules import XERO, ZOHO, sides

# Messages whose field is on the target side (the provider that refused); in every other message it is a field of
# the source record (a mapping's source, a transform's value) or already a label (zoho_checks).
TARGET_FIELD_MESSAGES = (messages.PROVIDER_REFUSED_FIELD, messages.PROVIDER_REFUSED_LINE, messages.PROVIDER_DUPLICATE)


def zoho_label(zoho_fields: dict, field: str) -> str:
    """Zoho's label of an api_name (a line field of a subform too), or ""."""
    meta = zoho_fields.get(field) or next(
        (meta for api_name, meta in zoho_fields.items() if api_name.endswith(f"[].{field}")), None)
    return str((meta or {}).get("label") or "")


def field_label(module: str, side: str, field: str, zoho_fields: dict) -> str:
    """The label of `field` of `module` on `side` ("zoho" or "xero"), or the field as given when it has none."""
    if not field:
        return field
    if side == XERO:
        return xero_field_label(module, field) or field
    return zoho_label(zoho_fields, field) or xero_field_label(module, field) or field


def label_params(operation, zoho_fields) -> None:
    """Replace the operation's `field` parameter by its label (a label stays as it is, so calling it twice is
    harmless); `zoho_fields()` (the module's Zoho field metadata) is called only for a Zoho field."""
    field = operation.params.get("field")
    if not isinstance(field, str) or not field:
        return
    source_side, target_side = sides(operation.direction)
    side = target_side if operation.message_key in TARGET_FIELD_MESSAGES else source_side
    operation.params["field"] = field_label(operation.module, side, field, (zoho_fields() if side == ZOHO else {}))
