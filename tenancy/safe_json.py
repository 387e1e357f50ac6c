"""JSON from outside (webhooks, notifications, uploaded files) with its size and nesting depth checked before
it is parsed: Python's parser recurses per level, so a body nested 100,000 deep would exhaust the stack."""

import json
import re

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32

# A JSON string (with escapes), or one bracket: the scan counts brackets outside strings only.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


class JSONRefused(ValueError):
    """The body is too large, too deeply nested, or not JSON. `reason` is for the log, not for users."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def nesting_depth(raw: bytes, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects in `raw` (brackets inside strings do not count); the scan
    stops as soon as the depth passes `stop_above`."""
    depth = deepest = 0
    for match in _TOKENS.finditer(raw):
        first = match.group()[0]
        if first in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and depth > stop_above:
                break
        elif first != 0x22:  # a closing bracket (0x22 is the quote that starts a string)
            depth -= 1
    return deepest


def loads(raw: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH):
    """Parse `raw` after checking its size and depth; raises JSONRefused instead of RecursionError or
    MemoryError, and for anything that is not UTF-8 JSON."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > max_bytes:
        raise JSONRefused(f"larger than {max_bytes} bytes")
    if nesting_depth(raw, stop_above=max_depth) > max_depth:
        raise JSONRefused(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JSONRefused("not JSON") from None
