"""What validation reports: a Problem (stable code, severity, translated message) and the tax facts it checks."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext, gettext_lazy, gettext_noop

from .zoho_fields import TEXT as ZOHO_TEXT

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
        from audit.models import translate_message  # labels among the parameters are shown translated too

        return translate_message(self.message_key, self.params, self.message_key % self.params if self.params
                                 else self.message_key) if self.params else gettext(self.message_key)

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


def _tax_unmapped(name, percentage, severity=ERROR):
    return Problem(
        "tax_unmapped",
        gettext_noop(
            "The Zoho tax %(tax)s (%(percentage)s %%) has no Xero tax rate. Choose one under Mapping › Taxes."
        ),
        {"tax": name, "percentage": percent(percentage)},
        severity=severity,
    )
