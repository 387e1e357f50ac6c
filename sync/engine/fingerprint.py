"""Stable hashes of mapped values, and provider timestamps made comparable.

Two payloads that mean the same thing hash the same: keys are sorted, empty values dropped, numbers
normalised (`100`, `100.0` and `"100.00"` are one value), strings stripped. Lists keep their order (line
items are ordered).
"""

import hashlib
import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def _number(value) -> str:
    try:
        normalised = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    text = format(normalised, "f")
    return "0" if text in ("-0", "") else text


def canonical(value):
    """The comparable form of a mapped value (None for 'nothing')."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return "#" + _number(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _NUMBER.match(text) and len(text) < 16:  # numbers written as text; not long ids
            return "#" + _number(text)
        return text
    if isinstance(value, dict):
        items = {key: canonical(item) for key, item in value.items() if not str(key).startswith("$")}
        items = {key: item for key, item in items.items() if item is not None}
        return items or None
    if isinstance(value, list | tuple):
        items = [canonical(item) for item in value]
        return [item for item in items if item is not None] or None
    return str(value)


def fingerprint(payload: dict | None) -> str:
    """A hex SHA-256 of the canonical payload ("" for no payload)."""
    if payload is None:
        return ""
    body = json.dumps(canonical(payload) or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def flatten(value, prefix: str = "") -> dict:
    """`{"Phones": [{"PhoneNumber": "1"}]}` -> `{"Phones[0].PhoneNumber": "1"}` (canonical leaves)."""
    out: dict = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
    else:
        leaf = canonical(value)
        if leaf is not None:
            out[prefix] = leaf
    return out


def differences(wanted: dict, current: dict) -> dict:
    """The keys of flattened `wanted` whose value differs in `current`: {path: (wanted, current)}."""
    flat_wanted, flat_current = flatten(wanted), flatten(current)
    return {
        path: (_display(value), _display(flat_current.get(path)))
        for path, value in flat_wanted.items()
        if flat_current.get(path) != value
    }


def _display(value):
    if isinstance(value, str) and value.startswith("#"):
        return value[1:]
    return value


def parse_time(value) -> datetime | None:
    """Zoho ISO-8601 with offset, Xero `/Date(ms+0000)/` or ISO: an aware datetime, or None."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    match = _MS_DATE.match(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def same_time(left, right) -> bool:
    """Whether two provider timestamps denote the same second (both present)."""
    a, b = parse_time(left), parse_time(right)
    return a is not None and b is not None and int(a.timestamp()) == int(b.timestamp())
