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

from decimal import Decimal

from django.utils.translation import gettext_noop

from . import paths
from .catalogue import BOOLEAN, CONTACT_PERSON_KEYS, DATE, NUMBER, REFERENCE, TAX, TEXT
from .errors import InvalidValue, MappingError, UnresolvedLookup
from .fingerprints import fingerprint
from .registry import XERO_TO_ZOHO, ZOHO_TO_XERO, get_module
from .resolvers import DictResolver, Resolver
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
    zoho_tax_value,
    zoho_taxes_of,
)

__all__ = [
    "AUTOMATIC_TRANSFORMS",
    "USER_TRANSFORMS",
    "DictResolver",
    "InvalidValue",
    "MappingError",
    "Resolver",
    "UnresolvedLookup",
    "contact_person",
    "fingerprint",
    "rules_of",
    "to_xero",
    "to_zoho",
    "zoho_paths",
    "zoho_taxes_of",
]

AUTOMATIC_TRANSFORMS = ("lookup", "tax", "tax_mode", "account_code")
USER_TRANSFORMS = (
    "join",
    "date",
    "number",
    "round",
    "value_table",
    "truncate",
    "not",
    "address_lines",
    "phone",
)


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
        item_rule = next((rule for rule in local_rules if rule["xero"] == "ItemCode"
                          and (rule.get("transform") or {}).get("kind") == "lookup"), None)
        lines = []
        for source_line in record.get(source_list) or []:
            line: dict = {}
            itemless_account = self._itemless_account(item_rule, source_line)
            for rule in local_rules:
                if rule is item_rule and itemless_account is not None:
                    continue  # a Zoho line product that stands for "no item": the Xero line gets none
                self.apply(rule, source_line, line, record)
            if itemless_account:
                line["AccountCode"] = itemless_account
            if item_rule is not None and self.direction == XERO_TO_ZOHO:
                self._itemless_product(item_rule, source_line, line)
            if line:
                lines.append(line)
        if lines:
            payload[target_list] = lines

    def _itemless_account(self, item_rule, zoho_line) -> str | None:
        """Zoho -> Xero: the account code of a line whose product was chosen for Xero lines without an item ("":
        the default account), else None."""
        if item_rule is None or self.direction != ZOHO_TO_XERO or not hasattr(self.resolver, "itemless_account"):
            return None
        product = paths.get(zoho_line, zoho_paths(item_rule)[0]) if zoho_paths(item_rule) else None
        product_id = product.get("id") if isinstance(product, dict) else product
        return self.resolver.itemless_account(str(product_id)) if not is_empty(product_id) else None

    def _itemless_product(self, item_rule, xero_line, zoho_line) -> None:
        """Xero -> Zoho: a line without an item gets the Zoho product chosen for such lines (by its account code,
        else the default), as Zoho requires a product on every line. Without one the line stays without a
        product, and the planner's Zoho checks refuse the invoice with a message saying what to choose."""
        targets = zoho_paths(item_rule)
        if not targets or not is_empty(paths.get(xero_line, "ItemCode")) or not is_empty(
                paths.get(zoho_line, targets[0])) or not hasattr(self.resolver, "line_product"):
            return
        product = self.resolver.line_product(str(xero_line.get("AccountCode") or ""))
        if product:
            paths.set(zoho_line, targets[0], {"id": str(product["id"])})

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
                if is_empty(value):
                    pass
                elif kind == "address_lines":
                    _set_address_lines(target, xero_path, str(value))
                else:
                    paths.set(target, xero_path, value)
            else:
                self._xero_to_zoho(rule, kind, transform, xero_type, zoho, source, target)
        except ValueProblem as problem:
            raise InvalidValue(
                gettext_noop("The value %(value)s of %(field)s is not a valid %(kind)s. Correct it in the record, or "
                             "change the mapping, then resync."),
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
                zoho_id=str(zoho_id),
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
                    "A line carries several Zoho taxes (%(taxes)s); a Xero line takes one tax rate. Keep one tax "
                    "on the line in Zoho CRM, then resync."
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
        if kind == "address_lines":
            value = _address_lines(source, rule["xero"])
        elif kind == "phone":
            value = _full_phone(source, rule["xero"])
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


def _sibling(path: str, name: str) -> str:
    return f"{path.rpartition('.')[0]}.{name}"


def _set_address_lines(target: dict, path: str, value: str) -> None:
    """A multi-line Zoho street -> Xero AddressLine1..4 of the same address (the 4th keeps any extra lines)."""
    lines = value.split("\n")
    lines = [*lines[:3], "\n".join(lines[3:])] if len(lines) > 4 else lines
    for number, line in enumerate(lines, start=1):
        paths.set(target, _sibling(path, f"AddressLine{number}"), line)


def _address_lines(source: dict, path: str) -> str:
    """Xero AddressLine1..4 of an address -> one multi-line street (empty lines inside are kept)."""
    lines = [paths.get(source, _sibling(path, f"AddressLine{number}")) or "" for number in range(1, 5)]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(str(line) for line in lines)


def _full_phone(source: dict, path: str) -> str:
    """A Xero phone with PhoneCountryCode and PhoneAreaCode -> one number, e.g. "+61 2 9999 0000"."""
    number = paths.get(source, path)
    if is_empty(number):
        return ""
    number = str(number)
    area = str(paths.get(source, _sibling(path, "PhoneAreaCode")) or "")
    country = str(paths.get(source, _sibling(path, "PhoneCountryCode")) or "").lstrip("+")
    if number.startswith("+"):
        return number
    return " ".join(part for part in (f"+{country}" if country else "", area, number) if part)
