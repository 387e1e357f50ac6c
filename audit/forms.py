"""The Audit page's filters: a GET form, so every filter lives in the URL."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action, Direction, Module, Status, Trigger

PER_PAGE_CHOICES = [(10, "10"), (25, "25"), (50, "50"), (100, "100")]
DEFAULT_PER_PAGE = 25
SEARCH_MIN_LENGTH = 3

# Sort keys as they appear in the URL ("-" = descending), and the labels of the "Sort by" select.
SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("name", _("Name (A to Z)")),
    ("-name", _("Name (Z to A)")),
    ("module", _("Module (A to Z)")),
    ("-module", _("Module (Z to A)")),
    ("direction", _("Data flow (A to Z)")),
    ("-direction", _("Data flow (Z to A)")),
    ("status", _("Status (A to Z)")),
    ("-status", _("Status (Z to A)")),
]
DEFAULT_SORT = "-created"

# Dates a filter can name: the day after the last one and every time zone offset stay representable.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(9998, 12, 31)


def _any(choices):
    return [("", _("Any"))] + list(choices)


class AuditFilterForm(forms.Form):
    """Filters of the Audit page. Invalid fields are reported and ignored; the valid ones still apply."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    module = forms.ChoiceField(label=_("Module"), required=False, choices=_any(Module.choices))
    direction = forms.ChoiceField(label=_("Data flow"), required=False, choices=_any(Direction.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_any(Status.choices))
    trigger = forms.ChoiceField(label=_("Trigger"), required=False, choices=_any(Trigger.choices))
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_any(Action.choices))
    xero = forms.ChoiceField(label=_("Xero organisation"), required=False, choices=_any([]))
    q = forms.CharField(
        label=_("Search"),
        required=False,
        min_length=SEARCH_MIN_LENGTH,
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, Zoho or Xero id, message"), "autocomplete": "off"}
        ),
    )
    per_page = forms.TypedChoiceField(
        label=_("Results per page"), required=False, choices=PER_PAGE_CHOICES, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, xero_organisations=(), **kwargs):
        """`xero_organisations`: (tenant id, name) pairs offered; a tenant id in the URL that is no longer
        connected (a reset organisation) is offered too, so its old entries stay reachable."""
        super().__init__(*args, **kwargs)
        choices = [(tenant_id, name or tenant_id) for tenant_id, name in xero_organisations]
        asked = (self.data.get("xero") or "").strip() if self.data else ""
        if asked and asked not in {tenant_id for tenant_id, _name in choices} and len(asked) <= 64:
            choices.append((asked, asked))
        self.fields["xero"].choices = _any(choices)

    def _date_in_range(self, name):
        value = self.cleaned_data.get(name)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )
        return value

    def clean_date_from(self):
        return self._date_in_range("date_from")

    def clean_date_to(self):
        return self._date_in_range("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        self.dates_reversed = bool(start and end and start > end)
        if self.dates_reversed:
            self.add_error("date_to", _("The To date must be on or after the From date."))
        return cleaned

    def filters(self) -> dict:
        """The valid, non-empty filter values (call after is_valid(), whatever its result)."""
        cleaned = getattr(self, "cleaned_data", {})
        values = {
            name: cleaned.get(name)
            for name in ("date_from", "date_to", "module", "direction", "status", "trigger", "action", "xero", "q")
            if cleaned.get(name) and name not in self.errors
        }
        if getattr(self, "dates_reversed", False):
            # A To date before the From date: apply neither, so nothing is silently hidden.
            values.pop("date_from", None)
        return values

    @property
    def per_page_value(self) -> int:
        value = getattr(self, "cleaned_data", {}).get("per_page")
        return value if value and "per_page" not in self.errors else DEFAULT_PER_PAGE

    @property
    def sort_value(self) -> str:
        value = getattr(self, "cleaned_data", {}).get("sort")
        return value if value and "sort" not in self.errors else DEFAULT_SORT
