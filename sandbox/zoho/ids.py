"""Zoho's ids are 64-bit integers written in ASCII digits. str.isdigit() also accepts "²" and other Unicode
digits, which int() refuses: every id, page number and channel id from a request is checked with is_id()."""

import re

_DIGITS = re.compile(r"[0-9]{1,19}")


def is_id(raw) -> bool:
    """True for a string (or int) of ASCII digits that fits a signed 64-bit integer."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return False
    text = str(raw)
    return bool(_DIGITS.fullmatch(text)) and int(text) < 2**63
