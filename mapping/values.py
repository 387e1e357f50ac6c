"""Value conversions used by the transform: dates, numbers, booleans. Plain Python, no Django."""

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{4})?\)/$")
ISO_DATE = "%Y-%m-%d"


class ValueProblem(ValueError):
    """A source value that cannot become the target type. Carries what the user needs to fix it."""

    def __init__(self, kind: str, value):
        super().__init__(f"{kind}: {value!r}")
        self.kind = kind
        self.value = value


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def parse_date(value, fmt: str | None = None) -> date:
    """ISO dates/datetimes, Xero's ``/Date(1439434356790+0000)/``, or ``fmt`` (a strftime pattern)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _MS_DATE.match(text)
    if match:
        return datetime.fromtimestamp(int(match["ms"]) / 1000, tz=UTC).date()
    if fmt:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).date()
        except ValueError:
            pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueProblem("date", value) from None


def format_date(value: date, fmt: str | None = None) -> str:
    # isoformat pads years before 1000 ("0999-01-01"); strftime("%Y") does not on every platform.
    return value.strftime(fmt) if fmt and fmt != ISO_DATE else value.isoformat()


def parse_number(value, decimal_separator: str = ".", thousands_separator: str = "") -> Decimal:
    if isinstance(value, bool):
        raise ValueProblem("number", value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip()
    if thousands_separator:
        text = text.replace(thousands_separator, "")
    if decimal_separator != ".":
        text = text.replace(decimal_separator, ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem("number", value) from None
    if not number.is_finite():
        raise ValueProblem("number", value)
    return number


def round_number(number: Decimal, places: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(
    number: Decimal, places: int | None, decimal_separator: str = ".", thousands_separator: str = ""
) -> str:
    if places is not None:
        number = round_number(number, places)
    sign, digits = ("-" if number < 0 else ""), f"{abs(number):f}"
    whole, _, fraction = digits.partition(".")
    if thousands_separator:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = thousands_separator.join([whole, *groups])
    return sign + whole + (decimal_separator + fraction if fraction else "")


def to_json_number(number: Decimal):
    """Numbers go out as JSON numbers: int when whole, else float."""
    return int(number) if number == number.to_integral_value() else float(number)


def parse_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on"):
        return True
    if text in ("false", "0", "no", "n", "off", ""):
        return False
    raise ValueProblem("boolean", value)


def zoho_taxes_of(value) -> list[tuple[str, object]]:
    """Zoho tax values -> ``[(name, percentage or None)]``. Accepts a line's ``Line_Tax``
    (``[{"name", "percentage", "value"}]``), a product's ``Tax`` (``[{"value": name, "id"}]`` or names)."""
    if isinstance(value, dict | str):
        value = [value]
    taxes = []
    for item in value or []:
        if isinstance(item, str):
            taxes.append((item, None))
        elif isinstance(item, dict):
            name = item.get("name") or item.get("display_name") or item.get("value")
            if name:
                taxes.append((str(name), item.get("percentage")))
    return taxes


def zoho_tax_value(tax: dict, shape: str):
    if shape == "product_tax":
        return [{"value": tax["name"], **({"id": tax["id"]} if tax.get("id") else {})}]
    entry = {"name": tax["name"]}
    if tax.get("percentage") is not None:
        entry["percentage"] = tax["percentage"]
    if tax.get("id"):
        entry["id"] = tax["id"]
    return [entry]
