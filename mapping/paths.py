"""Reading and writing nested values by path: ``Name``, ``SalesDetails.UnitPrice``, ``Phones[MOBILE].PhoneNumber``,
``Product_Name.Product_Code``. Plain Python, no Django.

``Phones[MOBILE]`` selects (or creates) the element of ``Phones`` whose discriminator (``PhoneType``; see
catalogue.DISCRIMINATORS) is ``MOBILE``. ``LineItems[]`` marks a per-line path: callers split those off first.
"""

import functools
import re

from .catalogue import DISCRIMINATORS

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z0-9_$]+)(?:\[(?P<key>[A-Za-z0-9_]*)\])?$")
LINE_MARK = "[]."


class PathError(ValueError):
    pass


@functools.lru_cache(maxsize=4096)
def parse(path: str) -> tuple[tuple[str, str | None], ...]:
    """``"Phones[DEFAULT].PhoneNumber"`` -> ``(("Phones", "DEFAULT"), ("PhoneNumber", None))``. Kept per path: a
    job maps thousands of records through the same few dozen paths."""
    segments = []
    for part in path.split("."):
        match = _SEGMENT.match(part)
        if not match:
            raise PathError(path)
        segments.append((match["name"], match["key"]))
    return tuple(segments)


def is_line_path(path: str) -> bool:
    return LINE_MARK in path


def split_line_path(path: str) -> tuple[str, str]:
    """``"LineItems[].Quantity"`` -> ``("LineItems", "Quantity")``."""
    head, _, tail = path.partition(LINE_MARK)
    return head, tail


def discriminator(name: str) -> str:
    return DISCRIMINATORS.get(name, "Type")


def get(record, path: str):
    value = record
    for name, key in parse(path):
        if not isinstance(value, dict):
            return None
        value = value.get(name)
        if key is not None:
            if not isinstance(value, list):
                return None
            field = discriminator(name)
            value = next((item for item in value if isinstance(item, dict) and item.get(field) == key), None)
    return value


def set(record: dict, path: str, value) -> None:  # noqa: A001 - mirrors get()
    segments = parse(path)
    target = record
    for index, (name, key) in enumerate(segments):
        last = index == len(segments) - 1
        if key is None:
            if last:
                target[name] = value
                return
            target = target.setdefault(name, {})
            continue
        items = target.setdefault(name, [])
        field = discriminator(name)
        element = next((item for item in items if item.get(field) == key), None)
        if element is None:
            element = {field: key}
            items.append(element)
        if last:
            raise PathError(path)
        target = element
