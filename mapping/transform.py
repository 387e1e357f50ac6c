"""The transform: a mapping plus a source record gives the target payload. Plain Python: no ORM, no HTTP.

The sync engine calls::

    payload = to_xero("invoices", mapping, zoho_record, resolver)
    record = to_zoho("invoices", mapping, xero_invoice, resolver)
    if fingerprint(payload) != link.last_fingerprint: ...

A mapping is ``{"version": 1, "rules": [rule, ...]}`` (or just the list of rules), one per module and direction.
A rule names one Xero field (a catalogue path) and what fills it, or what it fills when reading from Xero::

    {"xero": "Phones[DEFAULT].PhoneNumber", "zoho": "Phone"}
    {"xero": "Name", "zoho": ["First_Name", "Last_Name"], "transform": {"kind": "join", "separator": " "}}
    {"xero": "Type", "constant": "ACCREC"}
    {"xero": "Status", "zoho": "Status", "transform": {"kind": "value_table", "table": {"Created": "DRAFT"}}}
    {"xero": "LineItems[].Quantity", "zoho": "Invoiced_Items[].Quantity"}
    {"xero": "Contact.ContactID", "zoho": ["Account_Name", "Contact_Name"],
     "transform": {"kind": "lookup", "modules": ["Accounts", "Contacts"]}}
    {"xero": "Reference", "zoho": "Subject", "fallback": "InvoiceNumber"}   # Xero -> Zoho: Reference, else number

In a Zoho -> Xero mapping the Zoho side is the source; in a Xero -> Zoho mapping the Xero side is. ``constant``
always writes the rule's target. Empty source values write nothing (the target keeps its value).

Transforms (``transform.kind``): ``join`` (``separator``; splits when reading back), ``date`` (``format``: a
strftime pattern for the text side, the date side is ISO), ``number`` (``decimal``, ``thousands``, ``places``),
``round`` (``places``), ``value_table`` (``table``, optional ``default``), ``truncate`` (``length``), ``not``,
and the automatic ones the sync fills from the organisation's settings: ``lookup`` (``modules``), ``tax``
(``zoho_shape``: ``line_tax`` or ``product_tax``), ``tax_mode`` and ``account_code``.
"""

import hashlib
import json
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext, gettext_noop

from . import paths
from .catalogue import BOOLEAN, CONTACT_PERSON_KEYS, DATE, NUMBER, REFERENCE, TAX, TEXT
from .registry import XERO_TO_ZOHO, ZOHO_TO_XERO, get_module
from .values import (
    ValueProblem,
    format_date,
    format_number,
    is_empty,
    parse_boolean,
    parse_date,
    parse_number,
    round_number,
    to_json_number,
)

AUTOMATIC_TRANSFORMS = ("lookup", "tax", "tax_mode", "account_code")
USER_TRANSFORMS = ("join", "date", "number", "round", "value_table", "truncate", "not")


class Resolver(Protocol):
    """What the sync engine passes so the transform can follow links and apply the organisation's settings.

    Xero references: for Accounts and Contacts the Xero ContactID; for Products the Xero Item Code (lines carry it).
    """

    def to_xero(self, zoho_module: str, zoho_id: str) -> str | None: ...

    def to_zoho(self, zoho_module: str, xero_reference: str) -> str | None: ...

    def xero_tax_type(self, zoho_tax_name: str, percentage) -> str | None: ...

    def zoho_tax(self, xero_tax_type: str) -> dict | None: ...  # {"name", "percentage", "id"}

    def default_account_code(self, module: str) -> str | None: ...

    def tax_mode(self) -> str: ...  # "Exclusive", "Inclusive" or "NoTax"


class MappingError(Exception):
    """A record the mapping cannot turn into a payload. ``message`` is translated and says what to fix."""

    code = "mapping_error"

    def __init__(self, message_key: str, **params):
        super().__init__(message_key % params if params else message_key)
        self.message_key = message_key
        self.params = params

    @property
    def message(self) -> str:
        return gettext(self.message_key) % self.params if self.params else gettext(self.message_key)


class UnresolvedLookup(MappingError):
    code = "unresolved_lookup"


class InvalidValue(MappingError):
    code = "invalid_value"


class DictResolver:
    """A resolver over plain dicts: links ``{zoho_module: {zoho_id: xero_ref}}``, tax mapping
    ``{zoho_tax_name: xero_tax_type}``, Zoho taxes ``{name: {"percentage", "id"}}``, default accounts per module."""

    def __init__(
        self, links=None, tax_types=None, zoho_taxes=None, default_accounts=None, tax_mode="Exclusive"
    ):
        self.links = links or {}
        self.tax_types = tax_types or {}
        self.zoho_taxes = zoho_taxes or {}
        self.default_accounts = default_accounts or {}
        self._tax_mode = tax_mode

    def to_xero(self, zoho_module, zoho_id):
        return self.links.get(zoho_module, {}).get(str(zoho_id))

    def to_zoho(self, zoho_module, xero_reference):
        reverse = {xero: zoho for zoho, xero in self.links.get(zoho_module, {}).items()}
        return reverse.get(xero_reference)

    def xero_tax_type(self, zoho_tax_name, percentage):
        return self.tax_types.get(zoho_tax_name)

    def zoho_tax(self, xero_tax_type):
        name = next((zoho for zoho, xero in self.tax_types.items() if xero == xero_tax_type), None)
        if name is None:
            return None
        return {"name": name, **self.zoho_taxes.get(name, {})}

    def default_account_code(self, module):
        return self.default_accounts.get(module)

    def tax_mode(self):
        return self._tax_mode


def rules_of(mapping) -> list[dict]:
    if isinstance(mapping, dict):
        return list(mapping.get("rules", []))
    return list(mapping or [])


def zoho_paths(rule) -> list[str]:
    zoho = rule.get("zoho")
    if zoho is None or zoho == "":
        return []
    return [zoho] if isinstance(zoho, str) else [path for path in zoho if path]


def _xero_type(module_key: str, path: str) -> str:
    module = get_module(module_key)
    field = module.xero.get(path) if module.xero_key else None
    return field.type if field else TEXT


# --- public API -------------------------------------------------------------------------------------------


def to_xero(module: str, mapping, zoho_record: dict, resolver: Resolver) -> dict:
    """A Zoho record -> the Xero payload (a Contact, Item or ACCREC Invoice) under ``mapping``."""
    return _Transformer(module, rules_of(mapping), resolver, ZOHO_TO_XERO).run(zoho_record)


def to_zoho(module: str, mapping, xero_record: dict, resolver: Resolver) -> dict:
    """A Xero record (Contact, ContactPerson, Item or Invoice) -> the Zoho record data under ``mapping``."""
    return _Transformer(module, rules_of(mapping), resolver, XERO_TO_ZOHO).run(xero_record)


def contact_person(contact_payload: dict) -> dict:
    """The ContactPerson a Zoho contact with an account becomes (spec ContactPerson: FirstName, LastName,
    EmailAddress, IncludeInEmails), from the payload ``to_xero("contacts", ...)`` gave."""
    return {key: contact_payload[key] for key in CONTACT_PERSON_KEYS if key in contact_payload}


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


# --- the engine -------------------------------------------------------------------------------------------


class _Transformer:
    def __init__(self, module_key, rules, resolver, direction):
        self.module_key = module_key
        self.module = get_module(module_key)
        self.rules = rules
        self.resolver = resolver
        self.direction = direction

    def run(self, record: dict) -> dict:
        payload: dict = {}
        header_rules = [rule for rule in self.rules if not paths.is_line_path(rule["xero"])]
        line_rules = [rule for rule in self.rules if paths.is_line_path(rule["xero"])]
        for rule in header_rules:
            self.apply(rule, record, payload, record)
        if line_rules:
            self.apply_lines(line_rules, record, payload)
        return payload

    # Lines: Zoho Invoiced_Items[] <-> Xero LineItems[], one target line per source line, in order.
    def apply_lines(self, rules, record, payload):
        xero_list, _ = paths.split_line_path(rules[0]["xero"])
        zoho_list = self.module.line_subform or "Invoiced_Items"
        source_list, target_list = (
            (zoho_list, xero_list) if self.direction == ZOHO_TO_XERO else (xero_list, zoho_list)
        )
        local_rules = [self._localise(rule, xero_list, zoho_list) for rule in rules]
        lines = []
        for source_line in record.get(source_list) or []:
            line: dict = {}
            for rule in local_rules:
                self.apply(rule, source_line, line, record)
            if line:
                lines.append(line)
        if lines:
            payload[target_list] = lines

    @staticmethod
    def _localise(rule, xero_list, zoho_list):
        local = dict(rule)
        local["xero"] = paths.split_line_path(rule["xero"])[1]
        local["line_xero"] = rule["xero"]
        prefix = f"{zoho_list}[]."
        local["zoho"] = [path.removeprefix(prefix) for path in zoho_paths(rule)] or None
        if rule.get("fallback"):
            local["fallback"] = rule["fallback"].removeprefix(prefix).removeprefix(f"{xero_list}[].")
        return local

    def apply(self, rule, source, target, whole_record):
        transform = rule.get("transform") or {}
        kind = transform.get("kind")
        xero_path = rule["xero"]
        xero_type = _xero_type(self.module_key, rule.get("line_xero", xero_path))
        zoho = zoho_paths(rule)
        try:
            if self.direction == ZOHO_TO_XERO:
                value = self._zoho_to_xero_value(rule, kind, transform, xero_type, zoho, source)
                if not is_empty(value):
                    paths.set(target, xero_path, value)
            else:
                self._xero_to_zoho(rule, kind, transform, xero_type, zoho, source, target)
        except ValueProblem as problem:
            raise InvalidValue(
                gettext_noop("The value %(value)s of %(field)s is not a valid %(kind)s."),
                value=str(problem.value),
                field=(zoho[0] if zoho and self.direction == ZOHO_TO_XERO else xero_path),
                kind=problem.kind,
            ) from None

    # Zoho -> Xero ----------------------------------------------------------------------------------------
    def _zoho_to_xero_value(self, rule, kind, transform, xero_type, zoho, source):
        if kind == "tax_mode":
            return self.resolver.tax_mode()
        if not is_empty(rule.get("constant")):
            return self._coerce(rule["constant"], xero_type)
        if kind == "lookup":
            return self._lookup_to_xero(transform, zoho, source)
        values = [paths.get(source, path) for path in zoho]
        value = values[0] if values else None
        if kind == "join":
            separator = transform.get("separator", " ")
            value = separator.join(str(v) for v in values if not is_empty(v))
        if is_empty(value) and rule.get("fallback"):
            value = paths.get(source, rule["fallback"])
        if kind == "account_code":
            return value if not is_empty(value) else self.resolver.default_account_code(self.module_key)
        if is_empty(value):
            return None
        if kind == "tax":
            return self._tax_to_xero(value)
        value = self._user_transform(kind, transform, value, xero_type, to_typed_side=True)
        return self._coerce(value, xero_type) if kind not in ("date", "number") else value

    def _lookup_to_xero(self, transform, zoho, source):
        modules = transform.get("modules") or []
        pending = None
        for path, zoho_module in zip(zoho, modules, strict=False):
            value = paths.get(source, path)
            if is_empty(value):
                continue
            zoho_id = value.get("id") if isinstance(value, dict) else value
            xero_reference = self.resolver.to_xero(zoho_module, str(zoho_id))
            if xero_reference:
                return xero_reference
            name = value.get("name") if isinstance(value, dict) else None
            pending = pending or (path, zoho_module, zoho_id, name)
        if pending:
            path, zoho_module, zoho_id, name = pending
            raise UnresolvedLookup(
                gettext_noop(
                    "%(field)s points to the %(module)s record %(record)s, which is not in Xero yet. Sync it first."
                ),
                field=path,
                module=zoho_module,
                record=name or zoho_id,
            )
        return None

    def _tax_to_xero(self, value):
        taxes = zoho_taxes_of(value)
        tax_types = []
        for name, percentage in taxes:
            tax_type = self.resolver.xero_tax_type(name, percentage)
            if not tax_type:
                raise UnresolvedLookup(
                    gettext_noop("The Zoho tax %(tax)s has no Xero tax rate. Map it under Mapping › Taxes."),
                    tax=name,
                )
            tax_types.append(tax_type)
        if len(set(tax_types)) > 1:
            raise InvalidValue(
                gettext_noop(
                    "A line carries several Zoho taxes (%(taxes)s); a Xero line takes one tax rate."
                ),
                taxes=", ".join(name for name, _ in taxes),
            )
        return tax_types[0] if tax_types else None

    # Xero -> Zoho ----------------------------------------------------------------------------------------
    def _xero_to_zoho(self, rule, kind, transform, xero_type, zoho, source, target):
        if not zoho or kind == "tax_mode":
            return
        if not is_empty(rule.get("constant")):
            paths.set(target, zoho[0], rule["constant"])
            return
        value = paths.get(source, rule["xero"])
        if is_empty(value) and rule.get("fallback"):
            value = paths.get(source, rule["fallback"])
        if is_empty(value):
            return
        if kind == "lookup":
            for path, zoho_module in zip(zoho, transform.get("modules") or [], strict=False):
                zoho_id = self.resolver.to_zoho(zoho_module, str(value))
                if zoho_id:
                    paths.set(target, path, {"id": zoho_id})
                    return
            return
        if kind == "tax":
            tax = self.resolver.zoho_tax(str(value))
            if tax:
                paths.set(target, zoho[0], zoho_tax_value(tax, transform.get("zoho_shape", "line_tax")))
            return
        if kind == "join":
            separator = transform.get("separator", " ")
            parts = str(value).split(separator, len(zoho) - 1) if separator else [str(value)]
            for path, part in zip(zoho, parts, strict=False):
                if part:
                    paths.set(target, path, part)
            return
        value = self._coerce(value, xero_type) if kind not in ("date", "number") else value
        value = self._user_transform(kind, transform, value, xero_type, to_typed_side=False)
        paths.set(target, zoho[0], value)

    # Shared ----------------------------------------------------------------------------------------------
    def _user_transform(self, kind, transform, value, xero_type, to_typed_side):
        """``to_typed_side``: the value travels towards the Xero field (whose type is ``xero_type``)."""
        if kind == "date":
            fmt = transform.get("format") or None
            if xero_type == DATE:  # the Xero side holds the date; the Zoho side may be text in ``fmt``
                parsed = parse_date(value, fmt)
                return format_date(parsed) if to_typed_side else format_date(parsed, fmt)
            parsed = parse_date(value, None if to_typed_side else fmt)
            return format_date(parsed, fmt) if to_typed_side else format_date(parsed)
        if kind == "number":
            places = transform.get("places")
            places = int(places) if places not in (None, "") else None
            decimal_separator, thousands = transform.get("decimal", "."), transform.get("thousands", "")
            if xero_type == NUMBER:
                if to_typed_side:
                    number = parse_number(value, decimal_separator, thousands)
                    return to_json_number(round_number(number, places) if places is not None else number)
                return format_number(parse_number(value), places, decimal_separator, thousands)
            number = parse_number(value, decimal_separator if not to_typed_side else ".", thousands)
            if to_typed_side:
                return format_number(number, places, decimal_separator, thousands)
            return to_json_number(number)
        if kind == "round":
            number = round_number(parse_number(value), int(transform.get("places", 2)))
            return to_json_number(number)
        if kind == "value_table":
            table = transform.get("table") or {}
            key = str(value)
            if key in table:
                return table[key]
            return transform["default"] if not is_empty(transform.get("default")) else value
        if kind == "truncate":
            length = int(transform.get("length") or 0)
            return str(value)[:length] if length else value
        if kind == "not":
            return not parse_boolean(value)
        return value

    @staticmethod
    def _coerce(value, xero_type):
        if xero_type == NUMBER:
            return to_json_number(parse_number(value))
        if xero_type == BOOLEAN:
            return parse_boolean(value)
        if xero_type == DATE:
            return format_date(parse_date(value))
        if xero_type in (TEXT, REFERENCE, TAX) and not isinstance(value, str):
            if isinstance(value, dict):
                return value.get("name") or value.get("id")
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, list):
                return ", ".join(str(item) for item in value)
            if isinstance(value, float | int | Decimal):
                return format_number(parse_number(value), None)
        return value


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
