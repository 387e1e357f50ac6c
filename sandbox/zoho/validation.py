"""Checks one record of a write against the module's fields; errors use Zoho's per-record shapes."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import RecordError
from .ids import is_id
from .models import Record, Tax
from .schema import SUBFORM_MODULE, Field, field_map

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+()\-. /x]*$")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def invalid(field: str, path: str, message: str = "invalid data", **details) -> RecordError:
    return RecordError("INVALID_DATA", message, {"api_name": field, "json_path": path, **details})


def mandatory(field: str, path: str) -> RecordError:
    return RecordError("MANDATORY_NOT_FOUND", "required field not found", {"api_name": field, "json_path": path})


def _number(field: Field, value, path):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(field.api_name, path, expected_data_type=field.data_type)
    if field.data_type == "integer" and not isinstance(value, int):
        raise invalid(field.api_name, path, expected_data_type="integer")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise invalid(field.api_name, path, expected_data_type=field.data_type) from None
    if not number.is_finite():
        raise invalid(field.api_name, path, expected_data_type=field.data_type)
    if abs(number) >= Decimal(10) ** 14:
        raise invalid(field.api_name, path, maximum_length=field.length or 16)
    return float(number.quantize(CENT, rounding=ROUND_HALF_UP)) if field.decimal_place else value


class Cleaner:
    """Validates the values of one record against a module, resolving lookups and taxes in the org."""

    def __init__(self, org, module: str):
        self.org, self.module = org, module
        self.fields = field_map(module)
        self._taxes = None

    @property
    def taxes(self) -> list[Tax]:
        if self._taxes is None:
            self._taxes = list(Tax.objects.filter(org=self.org))
        return self._taxes

    def tax_for(self, value) -> Tax | None:
        """A tax given as its id, name or display label, or as {"id"} / {"name"} / {"value"}."""
        if isinstance(value, dict):
            value = value.get("id") or value.get("name") or value.get("value")
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        text = str(value).strip().lower()
        for tax in self.taxes:
            if text in (str(tax.zid), tax.name.lower(), tax.display_label.lower()):
                return tax
        return None

    def lookup(self, field: Field, value, path) -> str | None:
        if value is None:
            return None
        raw = value.get("id") if isinstance(value, dict) else value
        if not is_id(raw):
            raise invalid(field.api_name, path, expected_data_type="jsonobject")
        exists = Record.objects.filter(org=self.org, module=field.lookup, zid=int(raw),
                                       deleted_time__isnull=True).exists()
        if not exists:
            raise invalid(field.api_name, path, "the id given seems to be invalid")
        return str(raw)

    def value(self, field: Field, value, path):
        kind = field.data_type
        if value is None or (value == "" and kind not in ("subform",)):
            return None
        if kind in ("text", "textarea", "email", "phone", "website"):
            if not isinstance(value, str):
                raise invalid(field.api_name, path, expected_data_type=kind)
            if field.length and len(value) > field.length:
                raise invalid(field.api_name, path, maximum_length=field.length)
            if kind == "email" and not EMAIL.match(value):
                raise invalid(field.api_name, path, expected_data_type="email")
            if kind == "phone" and not PHONE.match(value):
                raise invalid(field.api_name, path, expected_data_type="phone")
            return value
        if kind == "picklist":
            if not isinstance(value, str):
                raise invalid(field.api_name, path, expected_data_type="picklist")
            if value not in field.picklist:
                raise invalid(field.api_name, path, supported_values=[v for v in field.picklist if v != "-None-"])
            return None if value == "-None-" else value
        if kind == "multiselectpicklist":  # Products.Tax: the org's taxes
            if not isinstance(value, list):
                raise invalid(field.api_name, path, expected_data_type="jsonarray")
            ids = []
            for item in value:
                tax = self.tax_for(item)
                if tax is None:
                    raise invalid(field.api_name, path, supported_values=[t.name for t in self.taxes])
                ids.append(str(tax.zid))
            return ids
        if kind in ("currency", "double", "integer"):
            return _number(field, value, path)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise invalid(field.api_name, path, expected_data_type="boolean")
            return value
        if kind == "date":
            try:
                return datetime.date.fromisoformat(value).isoformat() if len(value) == 10 else _bad_date()
            except (TypeError, ValueError):
                raise invalid(field.api_name, path, expected_data_type="date") from None
        if kind == "lookup":
            return self.lookup(field, value, path)
        if kind == "ownerlookup":
            return self.owner(field, value, path)
        if kind == "subform":
            return self.subform(value, path)
        if kind == "jsonarray":
            return value
        raise invalid(field.api_name, path)

    def owner(self, field, value, path):
        raw = value.get("id") if isinstance(value, dict) else value
        user = self.org.users.filter(zid=int(raw)).first() if is_id(raw) else None
        if user is None:
            raise invalid(field.api_name, path, "the id given seems to be invalid")
        return user

    def subform(self, lines, path) -> list[dict]:
        if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
            raise invalid("Invoiced_Items", path, expected_data_type="jsonarray")
        sub = Cleaner(self.org, SUBFORM_MODULE)
        sub._taxes = self.taxes
        cleaned = []
        for index, line in enumerate(lines):
            line_path = f"{path}[{index}]"
            values = {}
            for name, field in sub.fields.items():
                if field.read_only or name == "Line_Tax" or name not in line:
                    continue
                values[name] = sub.value(field, line[name], f"{line_path}.{name}")
            for name in ("Product_Name", "Quantity"):
                if values.get(name) is None:
                    raise mandatory(name, f"{line_path}.{name}")
            if values["Quantity"] <= 0:
                raise invalid("Quantity", f"{line_path}.Quantity")
            product = Record.objects.get(org=self.org, module="Products", zid=int(values["Product_Name"]))
            if values.get("List_Price") is None:
                values["List_Price"] = product.data.get("Unit_Price") or 0.0
            values["Discount"] = values.get("Discount") or 0.0
            if "Line_Tax" in line and line["Line_Tax"] is not None:
                taxes = self.line_taxes(line["Line_Tax"], f"{line_path}.Line_Tax")
            else:  # Zoho fills the line's taxes from the product
                taxes = [t for t in self.taxes if str(t.zid) in (product.data.get("Tax") or [])] \
                    if product.data.get("Taxable", True) else []
            values["Line_Tax"] = taxes
            if line.get("id") is not None:
                values["id"] = str(line["id"])
            cleaned.append(values)
        return cleaned

    def line_taxes(self, value, path) -> list[Tax]:
        if not isinstance(value, list):
            raise invalid("Line_Tax", path, expected_data_type="jsonarray")
        taxes = []
        for item in value:
            tax = self.tax_for(item)
            if tax is None:
                raise invalid("Line_Tax", path, supported_values=[t.name for t in self.taxes])
            given = item.get("percentage") if isinstance(item, dict) else None
            if given is not None and (isinstance(given, bool) or not isinstance(given, int | float)
                                      or Decimal(str(given)) != tax.value):
                raise invalid("Line_Tax", path, "the tax percentage does not match the org's tax")
            taxes.append(tax)
        return taxes


def _bad_date():
    raise ValueError


def compute_lines(lines: list[dict], line_ids) -> tuple[list[dict], dict]:
    """Line amounts and Line_Tax values (each rounded to 2 decimals), and the invoice totals."""
    stored, sub_total, tax_total = [], Decimal(0), Decimal(0)
    for values in lines:
        amount = money(Decimal(str(values["Quantity"])) * Decimal(str(values["List_Price"])))
        after = money(amount - money(values["Discount"]))
        line_tax = []
        for tax in values["Line_Tax"]:
            tax_value = money(after * tax.value / 100)
            line_tax.append({"id": str(tax.zid), "name": tax.name, "percentage": float(tax.value),
                             "value": float(tax_value)})
            tax_total += tax_value
        sub_total += after
        stored.append({
            "id": values.get("id") or str(next(line_ids)), "Product_Name": values["Product_Name"],
            "Quantity": values["Quantity"], "List_Price": values["List_Price"], "Discount": values["Discount"],
            "Description": values.get("Description"), "Line_Tax": line_tax, "Total": float(amount),
            "Total_After_Discount": float(after),
            "Net_Total": float(after + sum(Decimal(str(t["value"])) for t in line_tax)),
        })
    return stored, {"Sub_Total": float(sub_total), "Tax": float(tax_total)}
