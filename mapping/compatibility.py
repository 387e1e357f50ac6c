"""Which Zoho field kinds can meet which Xero field types, with or without a transform. Plain Python."""

from . import catalogue as x
from . import zoho_fields as z

_SCALAR = {z.TEXT, z.PICKLIST, z.NUMBER, z.DATE, z.DATETIME, z.BOOLEAN, z.MULTISELECT}

# Without a transform (plain copy, with the usual conversions).
DIRECT = {
    x.TEXT: _SCALAR,
    x.NUMBER: {z.NUMBER},
    x.DATE: {z.DATE, z.DATETIME},
    x.BOOLEAN: {z.BOOLEAN},
    x.ENUM: {z.PICKLIST, z.TEXT},
    x.REFERENCE: set(),
    x.TAX: set(),
}

# With a transform: the kinds it accepts on the Zoho side and the Xero types it can fill.
BY_TRANSFORM = {
    "join": (_SCALAR, {x.TEXT}),
    "date": ({z.DATE, z.DATETIME, z.TEXT}, {x.DATE, x.TEXT}),
    "number": ({z.NUMBER, z.TEXT}, {x.NUMBER, x.TEXT}),
    "round": ({z.NUMBER}, {x.NUMBER, x.TEXT}),
    "value_table": (_SCALAR, {x.TEXT, x.ENUM, x.BOOLEAN}),
    "truncate": (_SCALAR, {x.TEXT}),
    "not": ({z.BOOLEAN}, {x.BOOLEAN}),
    "address_lines": ({z.TEXT}, {x.TEXT}),
    "phone": ({z.TEXT}, {x.TEXT}),
    "lookup": ({z.LOOKUP}, {x.REFERENCE}),
    "tax": ({z.TAX}, {x.TAX}),
    "account_code": ({z.TEXT, z.PICKLIST}, {x.TEXT}),
    "tax_mode": (set(), {x.ENUM}),
}


def compatible(xero_type: str, zoho_kind: str, transform_kind: str | None = None) -> bool:
    if transform_kind:
        accepts, fills = BY_TRANSFORM.get(transform_kind, (set(), set()))
        return zoho_kind in accepts and xero_type in fills
    return zoho_kind in DIRECT.get(xero_type, set())


def accepted_kinds(xero_type: str) -> list[str]:
    """The Zoho kinds a box takes by plain drag and drop (a lookup into a linked-record box, a tax into a tax box:
    the matching automatic transform is chosen for them)."""
    kinds = set(DIRECT.get(xero_type, set()))
    if xero_type == x.REFERENCE:
        kinds.add(z.LOOKUP)
    if xero_type == x.TAX:
        kinds.add(z.TAX)
    return sorted(kinds)


def implied_transform(xero_type: str, zoho_kind: str) -> str | None:
    """The transform a plain drop implies: lookups into linked records, taxes into tax rates."""
    if xero_type == x.REFERENCE and zoho_kind == z.LOOKUP:
        return "lookup"
    if xero_type == x.TAX and zoho_kind == z.TAX:
        return "tax"
    return None
