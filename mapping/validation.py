"""Validation on save and before every sync. Plain Python: the data comes in as arguments.

The sync engine calls, before a run and for each record::

    problems = validate_for_sync(module, direction, mapping, taxes=tax_context, zoho_fields=fields)
    problems = validate_record(module, zoho_record, mapping, taxes=tax_context)
    problems = validate_payload(module, xero_payload, record_label=...)

Each Problem has a stable ``code``, a ``severity`` and a translated ``message`` that says what to fix
(``message_key`` + ``params`` are ready for audit.services.record).
"""

from django.utils.translation import gettext_noop

from . import paths
from .catalogue import ENUM
from .compatibility import compatible, implied_transform
from .problems import ERROR, ID_FIELD, WARNING, Problem, TaxContext, _decimal, _tax_unmapped, percent
from .record_checks import validate_payload, validate_record
from .registry import XERO_TO_ZOHO, ZOHO_TO_XERO, get_module
from .transform import AUTOMATIC_TRANSFORMS, USER_TRANSFORMS, rules_of, zoho_paths
from .values import is_empty
from .zoho_fields import TEXT as ZOHO_TEXT
from .zoho_fields import standard_fields


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
            if direction == XERO_TO_ZOHO and zoho_field.get("read_only"):
                problems.append(
                    Problem(
                        "read_only_zoho_target",
                        gettext_noop(
                            "Zoho CRM sets %(zoho)s itself: choose another Zoho field for %(field)s."
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


__all__ = [
    "ERROR",
    "ID_FIELD",
    "WARNING",
    "Problem",
    "TaxContext",
    "percent",
    "tax_mapping_problems",
    "validate_for_sync",
    "validate_mapping",
    "validate_payload",
    "validate_record",
]
