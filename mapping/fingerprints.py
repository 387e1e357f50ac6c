"""A stable hash of mapped values, so the sync engine can skip writes that would change nothing (echoes)."""

import hashlib
import json
from decimal import Decimal

from .values import is_empty


def _canonical(value):
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items() if not is_empty(item)}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        # Typed arrays (Phones, Addresses) are sets keyed by their type: order does not matter.
        if items and all(
            isinstance(item, dict) and ("PhoneType" in item or "AddressType" in item) for item in items
        ):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return format(Decimal(repr(value) if isinstance(value, float) else value).normalize(), "f")
    return str(value)


def fingerprint(payload: dict) -> str:
    """A stable hash of the mapped values: equal for equal data whatever the key order, number spelling
    (``10``, ``10.0``, ``"10.00"`` as Decimal) or empty values. The engine stores it to skip echoes."""
    canonical = json.dumps(_canonical(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
