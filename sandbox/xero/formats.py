"""Xero's wire formats: MS JSON dates, money, the response envelope and the error shapes."""

import datetime
import json
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime

from django.http import HttpResponse

from sandbox import clock

PROVIDER_NAME = "Sync Portal (sandbox)"
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
TWO = Decimal("0.01")


class PostDataInvalid(Exception):
    """A malformed body or value: 400 PostDataInvalidException (ErrorNumber 14)."""


def ms_date(value: datetime.datetime | datetime.date | None, *, offset: bool = True) -> str | None:
    """"/Date(1439434356790+0000)/" (the envelope's DateTimeUTC has no offset)."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.UTC)
    millis = int(value.timestamp() * 1000)
    return f"/Date({millis}+0000)/" if offset else f"/Date({millis})/"


def date_string(value: datetime.date | None) -> str | None:
    """DateString form: "2018-10-20T00:00:00"."""
    return None if value is None else f"{value.isoformat()}T00:00:00"


def utc_string(value: datetime.datetime | None) -> str | None:
    """UpdatedDateUTCString form: "2018-11-02T16:31:30Z"."""
    return None if value is None else value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value) -> datetime.date | None:
    """A request date: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" or "/Date(ms+0000)/". Raises PostDataInvalid."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PostDataInvalid(f"The date {value!r} is not valid.")
    match = _MS_DATE.match(value.strip())
    if match:
        return datetime.datetime.fromtimestamp(int(match.group(1)) / 1000, tz=datetime.UTC).date()
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise PostDataInvalid(f"The date '{value}' is not valid. Use YYYY-MM-DD.") from None


def parse_timestamp(value: str) -> datetime.datetime | None:
    """If-Modified-Since: an HTTP date, ISO 8601 (with or without offset; none means UTC) or an MS date."""
    value = (value or "").strip()
    if not value:
        return None
    match = _MS_DATE.match(value)
    if match:
        return datetime.datetime.fromtimestamp(int(match.group(1)) / 1000, tz=datetime.UTC)
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise PostDataInvalid(f"{field} must be a number.")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise PostDataInvalid(f"{field} must be a number.") from None
    if not result.is_finite():
        raise PostDataInvalid(f"{field} must be a number.")
    return result


def money(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value) -> float | None:
    """JSON number for a Decimal stored as a string."""
    if value in (None, ""):
        return None
    return float(Decimal(str(value)))


class XeroJSON(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return float(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        return super().default(o)


def json_response(payload, status: int = 200, content_type: str = "application/json; charset=utf-8") -> HttpResponse:
    return HttpResponse(json.dumps(payload, cls=XeroJSON), status=status, content_type=content_type)


def no_content() -> HttpResponse:
    """204: no body, so no Content-Type either (Django's default would be text/html, which an SDK may take for an
    error page; Zoho's 204s are answered the same way)."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


def envelope(collection: str, items: list, pagination: dict | None = None, warnings=None) -> dict:
    payload = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": PROVIDER_NAME,
        "DateTimeUTC": ms_date(clock.now(), offset=False),
    }
    if pagination is not None:
        payload["pagination"] = pagination
    if warnings:
        payload["Warnings"] = warnings
    payload[collection] = items
    return payload


def validation_exception(elements: list) -> HttpResponse:
    return json_response({
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }, status=400)


def post_data_invalid(message: str) -> HttpResponse:
    return json_response({"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message}, status=400)


def query_parse_error(message: str) -> HttpResponse:
    return json_response({"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}, status=400)


def no_data(entity: str) -> HttpResponse:
    return json_response({
        "ErrorNumber": 17,
        "Type": "NoDataProcessedException",
        "Message": f"No data has been processed for this endpoint. This endpoint is expecting {entity} data "
                   "to be specifed in the request body.",
    }, status=400)


NOT_FOUND = "The resource you're looking for cannot be found"


def not_found() -> HttpResponse:
    """Xero answers an unknown resource with this sentence as plain text, not JSON (Xero-OpenAPI#163, closed
    by Xero as "API not Specification"; xero-python's NotFoundException carries the same sentence)."""
    return HttpResponse(NOT_FOUND, status=404, content_type="text/plain; charset=utf-8")


def rate_limited(problem: str, retry_after: int | None = None) -> HttpResponse:
    """429: Xero documents the status and the X-Rate-Limit-Problem and Retry-After headers, not a body (xero.md
    §2; the accounting spec has no 429 response). A short plain-text body, so that a client has to act on the
    status and headers, as Xero's own SDKs do (xero-python's RateLimitException reads the header only)."""
    response = HttpResponse(f"Rate limit exceeded: {problem}", status=429, content_type="text/plain; charset=utf-8")
    response["X-Rate-Limit-Problem"] = problem
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def problem(status: int, title: str, detail: str, request=None) -> HttpResponse:
    """The identity/problem+json shape of 401 and 403."""
    return json_response({
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }, status=status, content_type="application/problem+json; charset=utf-8")
