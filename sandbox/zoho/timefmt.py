"""Zoho timestamps: ISO 8601 with the user's offset, no milliseconds (`2019-07-25T15:26:49+05:30`)."""

import datetime
from zoneinfo import ZoneInfo

from .errors import ZohoError


def truncate(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(microsecond=0)


def fmt(moment: datetime.datetime | None, tz: str = "UTC") -> str | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def parse(value: str, param: str = "If-Modified-Since") -> datetime.datetime:
    """An ISO 8601 datetime with an offset; a value without one is refused (Zoho needs the offset)."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": param, "param": param,
                                                         "expected_data_type": "datetime"})
    return moment


def parse_or_none(value) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
