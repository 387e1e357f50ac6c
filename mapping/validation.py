"""Validation on save and before every sync. Plain Python: the data comes in as arguments.

The sync engine calls, before a run and for each record::

    problems = validate_for_sync(module, direction, mapping, taxes=tax_context, zoho_fields=fields)
    problems = validate_record(module, zoho_record, mapping, taxes=tax_context)
    problems = validate_payload(module, xero_payload, record_label=...)

Each Problem has a stable ``code``, a ``severity`` and a translated ``message`` that says what to fix
(``message_key`` + ``params`` are ready for audit.services.record).
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext, gettext_lazy, gettext_noop

from . import paths
from .catalogue import ENUM
from .compatibility import compatible, implied_transform
from .registry import XERO_TO_ZOHO, ZOHO_TO_XERO, get_module
from .transform import AUTOMATIC_TRANSFORMS, USER_TRANSFORMS, rules_of, zoho_paths, zoho_taxes_of
from .values import is_empty
from .zoho_fields import TEXT as ZOHO_TEXT
from .zoho_fields import standard_fields

ERROR = "error"
WARNING = "warning"

# The Zoho pseudo-field ``id`` (the record's own id) can fill text fields such as ContactNumber.
ID_FIELD = {"api_name": "id", "label": gettext_lazy("Record ID"), "kind": ZOHO_TEXT, "data_type": "id"}


@dataclass(frozen=True)
class Problem:
    code: str
    message_key: str
    params: dict = field(default_factory=dict)
    field: str | None = None
    severity: str = ERROR

    @property
    def message(self) -> str:
        return gettext(self.message_key) % self.params if self.params else gettext(self.message_key)

    def __str__(self):
        return self.message


@dataclass
class TaxContext:
    """The tax facts of one portal organisation and one Xero organisation.

    ``zoho_taxes``: ``[{"name", "percentage"}]``; ``xero_rates``: ``{tax_type: {"name", "rate", "status",
    "can_apply_to_revenue"}}``; ``mappings``: ``{zoho_tax_name: tax_type}``; ``mode``: Exclusive/Inclusive/NoTax.
    """

    mode: str = "Exclusive"
    zoho_taxes: list = field(default_factory=list)
    xero_rates: dict = field(default_factory=dict)
    mappings: dict = field(default_factory=dict)
    # The Xero organisation's currencies; ``currencies_complete`` when the enabled ones are known, not only the base.
    xero_currencies: list = field(default_factory=list)
    currencies_complete: bool = False

    def zoho_percentage(self, name):
        tax = next((tax for tax in self.zoho_taxes if tax.get("name") == name), None)
        return _decimal(tax.get("percentage")) if tax else None


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def percent(value) -> str:
    """``Decimal("15.0000")`` -> ``"15"``; ``7.5`` -> ``"7.5"``."""
    number = _decimal(value)
    if number is None:
        return "?"
    text = f"{number.normalize():f}"
    return text


# --- the mapping itself -------------------------------------------------------------------------------------


def _field_index(module_key, zoho_fields):
    module = get_module(module_key)
    fields = (
        zoho_fields
        if zoho_fields is not None
        else standard_fields(module.zoho_module, module.line_module, module.line_subform)
    )
    index = {f["api_name"]: f for f in fields}
    index["id"] = ID_FIELD
    return index


def _zoho_field(index, path):
    """``Invoiced_Items[].Product_Name.name`` -> the ``Invoiced_Items[].Product_Name`` field."""
    if path in index:
        return index[path]
    head, mark, tail = path.partition("[].")
    candidate = f"{head}[].{tail.split('.')[0]}" if mark else path.split(".")[0]
    return index.get(candidate)


def validate_mapping(module_key: str, direction: str, mapping, zoho_fields=None) -> list[Problem]:
    """What is wrong with a mapping whatever the data: unknown fields, type mismatches, missing mandatory fields."""
    module = get_module(module_key)
    catalogue = module.xero
    index = _field_index(module_key, zoho_fields)
    problems: list[Problem] = []
    seen_targets = set()
    rules = rules_of(mapping)
    for rule in rules:
        xero_path = rule.get("xero", "")
        xero_field = catalogue.get(xero_path)
        if xero_field is None:
            problems.append(
                Problem(
                    "unknown_xero_field",
                    gettext_noop("%(field)s is not a Xero field this module knows."),
                    {"field": xero_path},
                    xero_path,
                )
            )
            continue
        transform = (rule.get("transform") or {}).get("kind")
        if transform and transform not in USER_TRANSFORMS + AUTOMATIC_TRANSFORMS:
            problems.append(
                Problem(
                    "unknown_transform",
                    gettext_noop("%(transform)s is not a known transform."),
                    {"transform": transform},
                    xero_path,
                )
            )
            continue
        if direction == ZOHO_TO_XERO and xero_field.read_only:
            problems.append(
                Problem(
                    "read_only_target",
                    gettext_noop(
                        "Xero sets %(field)s itself: it can only be read into Zoho CRM, not sent to Xero."
                    ),
                    {"field": xero_path},
                    xero_path,
                )
            )
        target_key = xero_path if direction == ZOHO_TO_XERO else tuple(zoho_paths(rule))
        if direction == ZOHO_TO_XERO and target_key in seen_targets:
            problems.append(
                Problem(
                    "duplicate_target",
                    gettext_noop("%(field)s is mapped twice: keep one."),
                    {"field": xero_path},
                    xero_path,
                )
            )
        seen_targets.add(target_key)
        for zoho_path in zoho_paths(rule):
            zoho_field = _zoho_field(index, zoho_path)
            if zoho_field is None:
                problems.append(
                    Problem(
                        "unknown_zoho_field",
                        gettext_noop(
                            "The Zoho field %(zoho)s does not exist (any more). Refresh the Zoho fields and map %(field)s again."
                        ),
                        {"zoho": zoho_path, "field": xero_path},
                        xero_path,
                        # Reading a missing field gives nothing; writing one makes Zoho refuse the record.
                        severity=WARNING if direction == ZOHO_TO_XERO else ERROR,
                    )
                )
                continue
            if paths.is_line_path(zoho_path) != xero_field.is_line_field:
                problems.append(
                    Problem(
                        "line_mismatch",
                        gettext_noop(
                            "Line item fields map only to line item fields: %(zoho)s cannot meet %(field)s."
                        ),
                        {"zoho": zoho_path, "field": xero_path},
                        xero_path,
                    )
                )
                continue
            kind = zoho_field["kind"] if zoho_path == zoho_field["api_name"] else ZOHO_TEXT
            if not compatible(xero_field.type, kind, transform or implied_transform(xero_field.type, kind)):
                problems.append(type_mismatch(zoho_path, kind, xero_path, xero_field.type))
        if xero_field.type == ENUM and transform == "value_table":
            table = (rule.get("transform") or {}).get("table") or {}
            values = list(table.values()) if direction == ZOHO_TO_XERO else []
            wrong = [value for value in values if value not in xero_field.choices]
            if wrong:
                problems.append(
                    Problem(
                        "bad_value",
                        gettext_noop("%(values)s: not a value Xero accepts for %(field)s (%(choices)s)."),
                        {
                            "values": ", ".join(wrong),
                            "field": xero_path,
                            "choices": ", ".join(xero_field.choices),
                        },
                        xero_path,
                    )
                )
    if direction == ZOHO_TO_XERO:
        problems += _mandatory_problems(module_key, rules)
    if direction == XERO_TO_ZOHO:
        problems += _zoho_mandatory_problems(index, rules)
    return problems


def _zoho_mandatory_problems(index, rules) -> list[Problem]:
    """Zoho refuses records without its mandatory fields: a Xero -> Zoho mapping must fill them."""
    filled = {path for rule in rules if _filled(rule) for path in zoho_paths(rule)}
    lines_mapped = any(paths.is_line_path(path) for path in filled)
    problems = []
    for zoho_field in index.values():
        api_name = zoho_field["api_name"]
        if (
            not zoho_field.get("mandatory")
            or zoho_field.get("read_only")
            or zoho_field.get("kind") == "subform"
        ):
            continue
        if paths.is_line_path(api_name) and not lines_mapped:
            continue
        if api_name not in filled:
            problems.append(
                Problem(
                    "zoho_mandatory_unmapped",
                    gettext_noop("Zoho CRM requires %(zoho)s: map a Xero field or a constant to it."),
                    {"zoho": api_name},
                    api_name,
                )
            )
    return problems


def type_mismatch(zoho_path, zoho_kind, xero_path, xero_type) -> Problem:
    from .catalogue import TYPE_LABELS

    return Problem(
        "type_mismatch",
        gettext_noop(
            "The Zoho field %(zoho)s (%(zoho_type)s) cannot fill the Xero field %(field)s (%(xero_type)s). "
            "Choose a field of a matching type, or a transform that converts it."
        ),
        {
            "zoho": zoho_path,
            "zoho_type": zoho_kind,
            "field": xero_path,
            "xero_type": str(TYPE_LABELS.get(xero_type, xero_type)),
        },
        xero_path,
    )


def _filled(rule) -> bool:
    kind = (rule.get("transform") or {}).get("kind")
    return (
        bool(zoho_paths(rule)) or not is_empty(rule.get("constant")) or kind in ("tax_mode", "account_code")
    )


def _mandatory_problems(module_key, rules) -> list[Problem]:
    module = get_module(module_key)
    mapped = {rule.get("xero") for rule in rules if _filled(rule)}
    problems = []
    for xero_field in module.xero.mandatory:
        if xero_field.path not in mapped:
            problems.append(
                Problem(
                    "mandatory_unmapped",
                    gettext_noop(
                        "Map a Zoho field or a constant to the Xero field %(field)s (%(label)s): Xero requires it."
                    ),
                    {"field": xero_field.path, "label": str(xero_field.label)},
                    xero_field.path,
                )
            )
    if module.line_subform and not any(paths.is_line_path(path) for path in mapped):
        problems.append(
            Problem(
                "lines_unmapped",
                gettext_noop(
                    "Map the invoice lines: Xero requires LineItems. Drop Zoho line item fields onto the LineItems fields."
                ),
                {},
                "LineItems",
            )
        )
    return problems


# --- before a sync ------------------------------------------------------------------------------------------

TAX_TARGETS = {"invoices": "LineItems[].TaxType", "products": "SalesDetails.TaxType"}
TAX_SOURCES = {"invoices": "Invoiced_Items[].Line_Tax", "products": "Tax"}


def validate_for_sync(
    module_key, direction, mapping, *, taxes: TaxContext, zoho_fields=None
) -> list[Problem]:
    """The mapping checks plus the tax checks, for one module and direction and one Xero organisation."""
    problems = validate_mapping(module_key, direction, mapping, zoho_fields)
    if module_key in TAX_TARGETS and direction == ZOHO_TO_XERO and taxes.mode != "NoTax":
        target = TAX_TARGETS[module_key]
        if not any(rule.get("xero") == target and _filled(rule) for rule in rules_of(mapping)):
            problems.append(
                Problem(
                    "tax_field_unmapped",
                    gettext_noop(
                        "The tax rate is not mapped: map the Zoho field %(zoho)s to the Xero field %(field)s, "
                        "or set the invoice tax mode to No tax."
                    ),
                    {"zoho": TAX_SOURCES[module_key], "field": target},
                    target,
                )
            )
    if module_key in TAX_TARGETS and taxes.mode != "NoTax":
        problems += tax_mapping_problems(taxes)
    return problems


def tax_mapping_problems(taxes: TaxContext) -> list[Problem]:
    """Every Zoho tax maps to an active Xero sales tax rate of the same percentage."""
    problems = []
    for tax in taxes.zoho_taxes:
        name, percentage = tax.get("name"), _decimal(tax.get("percentage"))
        tax_type = taxes.mappings.get(name)
        if not tax_type:
            problems.append(_tax_unmapped(name, percentage, WARNING))
            continue
        problem = _rate_problem(taxes, name, percentage, tax_type)
        if problem:
            problems.append(problem)
    return problems


def _tax_unmapped(name, percentage, severity=ERROR):
    return Problem(
        "tax_unmapped",
        gettext_noop(
            "The Zoho tax %(tax)s (%(percentage)s %%) has no Xero tax rate. Choose one under Mapping › Taxes."
        ),
        {"tax": name, "percentage": percent(percentage)},
        severity=severity,
    )


def _rate_problem(taxes, name, percentage, tax_type):
    rate = taxes.xero_rates.get(tax_type)
    if rate is None or rate.get("status", "ACTIVE") != "ACTIVE" or not rate.get("can_apply_to_revenue", True):
        return Problem(
            "tax_type_unknown",
            gettext_noop(
                "The Zoho tax %(tax)s is mapped to the Xero tax rate %(tax_type)s, which this Xero organisation "
                "does not have or cannot use on sales. Refresh the tax rates and choose another."
            ),
            {"tax": name, "tax_type": tax_type},
        )
    xero_rate = _decimal(rate.get("rate"))
    if percentage is not None and xero_rate is not None and percentage != xero_rate:
        return Problem(
            "tax_rate_mismatch",
            gettext_noop(
                "The Zoho tax %(tax)s is %(percentage)s %% but its Xero tax rate %(tax_type)s is %(xero_rate)s %%. "
                "Choose a Xero tax rate of the same percentage."
            ),
            {
                "tax": name,
                "percentage": percent(percentage),
                "tax_type": tax_type,
                "xero_rate": percent(xero_rate),
            },
        )
    return None


# --- one record ---------------------------------------------------------------------------------------------


def _source_of(mapping, xero_path):
    rule = next((rule for rule in rules_of(mapping) if rule.get("xero") == xero_path), None)
    if rule is None or not is_empty(rule.get("constant")):
        return None
    sources = zoho_paths(rule)
    return sources[0] if sources else None


def validate_record(
    module_key, zoho_record: dict, mapping, *, taxes: TaxContext | None = None
) -> list[Problem]:
    """Problems with one Zoho record about to go to Xero: an empty Product Code, taxes without a Xero rate,
    and (tax-exclusive amounts) line tax rates that differ from the Xero rate they map to."""
    taxes = taxes or TaxContext()
    problems = []
    if module_key == "products":
        code_source = _source_of(mapping, "Code")
        if code_source and is_empty(paths.get(zoho_record, code_source)):
            problems.append(
                Problem(
                    "empty_product_code",
                    gettext_noop(
                        "The product %(product)s has no %(field)s, which becomes the Xero Item Code. "
                        "Enter it in Zoho CRM: the product was not sent to Xero."
                    ),
                    {
                        "product": zoho_record.get("Product_Name") or zoho_record.get("id") or "?",
                        "field": code_source,
                    },
                    "Code",
                )
            )
        tax_source = _source_of(mapping, "SalesDetails.TaxType")
        if tax_source and taxes.mode != "NoTax":
            for name, _percentage in zoho_taxes_of(paths.get(zoho_record, tax_source)):
                if not taxes.mappings.get(name):
                    problems.append(_tax_unmapped(name, taxes.zoho_percentage(name)))
    if module_key == "invoices" and taxes.mode != "NoTax":
        problems += _invoice_line_problems(zoho_record, mapping, taxes)
    if module_key == "invoices":
        problems += _currency_problems(zoho_record, mapping, taxes)
    return problems


def _currency_problems(zoho_record, mapping, taxes):
    source = _source_of(mapping, "CurrencyCode")
    currency = paths.get(zoho_record, source) if source else None
    if is_empty(currency) or not taxes.xero_currencies or currency in taxes.xero_currencies:
        return []
    return [
        Problem(
            "currency_not_enabled",
            gettext_noop(
                "The invoice %(invoice)s is in %(currency)s, but the Xero organisation works in %(currencies)s. "
                "Enable %(currency)s in Xero (multi-currency) or change the invoice's currency in Zoho CRM."
            ),
            {
                "invoice": zoho_record.get("Invoice_Number")
                or zoho_record.get("Subject")
                or zoho_record.get("id")
                or "?",
                "currency": currency,
                "currencies": ", ".join(taxes.xero_currencies),
            },
            "CurrencyCode",
            # Only the base currency known: other enabled currencies may exist, so warn rather than refuse.
            severity=ERROR if taxes.currencies_complete else WARNING,
        )
    ]


def _invoice_line_problems(zoho_record, mapping, taxes):
    source = _source_of(mapping, "LineItems[].TaxType")
    if not source:
        return []
    subform, _, line_path = source.partition("[].")
    invoice = zoho_record.get("Invoice_Number") or zoho_record.get("Subject") or zoho_record.get("id") or "?"
    problems = []
    for number, line in enumerate(zoho_record.get(subform) or [], start=1):
        for name, line_percentage in zoho_taxes_of(paths.get(line, line_path)):
            tax_type = taxes.mappings.get(name)
            percentage = (
                _decimal(line_percentage) if line_percentage is not None else taxes.zoho_percentage(name)
            )
            if not tax_type:
                problems.append(_tax_unmapped(name, percentage))
                continue
            if taxes.mode != "Exclusive":
                continue
            xero_rate = _decimal((taxes.xero_rates.get(tax_type) or {}).get("rate"))
            if percentage is not None and xero_rate is not None and percentage != xero_rate:
                problems.append(
                    Problem(
                        "exclusive_rate_mismatch",
                        gettext_noop(
                            "Line %(line)s of invoice %(invoice)s charges the Zoho tax %(tax)s at %(percentage)s %%, "
                            "but with tax-exclusive amounts Xero applies %(tax_type)s at %(xero_rate)s %%, so the "
                            "totals would differ. Correct the line's tax in Zoho CRM or the tax mapping."
                        ),
                        {
                            "line": number,
                            "invoice": invoice,
                            "tax": name,
                            "percentage": percent(percentage),
                            "tax_type": tax_type,
                            "xero_rate": percent(xero_rate),
                        },
                        "LineItems[].TaxType",
                    )
                )
    return problems


def validate_payload(module_key, payload: dict, *, record_label: str = "") -> list[Problem]:
    """A mapped Xero payload: mandatory values present, lengths within Xero's limits."""
    module = get_module(module_key)
    problems = []
    for xero_field in module.xero.fields:
        if xero_field.is_line_field:
            list_name, line_path = paths.split_line_path(xero_field.path)
            values = [paths.get(line, line_path) for line in payload.get(list_name) or []]
        else:
            values = [paths.get(payload, xero_field.path)]
        if xero_field.mandatory and all(is_empty(value) for value in values):
            problems.append(
                Problem(
                    "missing_value",
                    gettext_noop("%(record)s has no value for %(field)s, which Xero requires."),
                    {"record": record_label or module_key, "field": xero_field.path},
                    xero_field.path,
                )
            )
        for value in values:
            if xero_field.max_length and isinstance(value, str) and len(value) > xero_field.max_length:
                problems.append(
                    Problem(
                        "too_long",
                        gettext_noop(
                            "%(record)s: %(field)s has %(length)s characters; Xero accepts at most %(max)s."
                        ),
                        {
                            "record": record_label or module_key,
                            "field": xero_field.path,
                            "length": len(value),
                            "max": xero_field.max_length,
                        },
                        xero_field.path,
                    )
                )
    if module.line_subform and not payload.get("LineItems"):
        problems.append(
            Problem(
                "missing_value",
                gettext_noop("%(record)s has no value for %(field)s, which Xero requires."),
                {"record": record_label or module_key, "field": "LineItems"},
                "LineItems",
            )
        )
    return problems


__all__ = [
    "ERROR",
    "WARNING",
    "Problem",
    "TaxContext",
    "validate_for_sync",
    "validate_mapping",
    "validate_payload",
    "validate_record",
]
