"""Checks of one record before it goes to Xero (validate_record) and of a mapped payload (validate_payload)."""

from django.utils.translation import gettext_noop

from . import paths
from .problems import ERROR, WARNING, Problem, TaxContext, _decimal, _tax_unmapped, percent
from .registry import get_module, xero_field_label
from .transform import rules_of, zoho_paths, zoho_taxes_of
from .values import is_empty

NO_VALUE = gettext_noop(
    "%(record)s has no value for %(field)s, which Xero requires. Fill it in Zoho CRM, or map a field to it under "
    "Mapping, then resync."
)
TOO_LONG = gettext_noop(
    "%(record)s: the value \"%(value)s\" of %(field)s has %(length)s characters; Xero accepts at most %(max)s. "
    "Shorten it in Zoho CRM, then resync."
)
SHOWN = 60  # characters of a too long value the message shows
LINE_ITEMS = gettext_noop("Line items")


def _label(module_key, xero_path):
    """The Xero field's untranslated label (shown translated, see audit.models.TRANSLATED_PARAMS)."""
    return xero_field_label(module_key, xero_path) or xero_path


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
                    NO_VALUE,
                    {"record": record_label or module_key, "field": _label(module_key, xero_field.path)},
                    xero_field.path,
                )
            )
        for value in values:
            if xero_field.max_length and isinstance(value, str) and len(value) > xero_field.max_length:
                problems.append(
                    Problem(
                        "too_long",
                        TOO_LONG,
                        {
                            "record": record_label or module_key,
                            "field": _label(module_key, xero_field.path),
                            "value": value if len(value) <= SHOWN else value[: SHOWN - 1].rstrip() + "…",
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
                NO_VALUE,
                {"record": record_label or module_key, "field": LINE_ITEMS},
                "LineItems",
            )
        )
    return problems
