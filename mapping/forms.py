"""The mapping editor's form: one row per Xero field, each with plain selects and inputs. It is the truth; the
drag-and-drop in static/js/mapping.js only sets these selects. All rules are checked here (and in validation)."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from . import paths
from .catalogue import TYPE_LABELS
from .compatibility import accepted_kinds, implied_transform
from .registry import XERO_TO_ZOHO, ZOHO_TO_XERO, get_module
from .transform import zoho_paths
from .validation import ERROR, ID_FIELD, validate_mapping

TRANSFORM_CHOICES = [
    ("", _("None (copy the value)")),
    ("join", _("Join with a second field")),
    ("date", _("Date format")),
    ("number", _("Number format")),
    ("round", _("Round")),
    ("value_table", _("Value table")),
    ("truncate", _("Shorten to a length")),
    ("not", _("Yes/no reversed")),
    ("address_lines", _("Street over the address lines 1 to 4")),
    ("phone", _("Phone with country and area code (reading from Xero)")),
    ("lookup", _("Linked record (automatic)")),
    ("tax", _("Tax rate from the tax mapping (automatic)")),
    ("account_code", _("Default sales account unless the field is filled (automatic)")),
    ("tax_mode", _("Invoice tax mode (automatic)")),
]
PARAM_HELP = _(
    "Join: the separator. Date format: a pattern such as %d.%m.%Y. Number format: an example such as 1.234,56. "
    "Round: decimal places. Shorten: the length."
)
TABLE_HELP = _("One pair per line: Zoho value = Xero value (Xero value = Zoho value when reading from Xero).")


KIND_LABELS = {
    "text": _("text"),
    "number": _("number"),
    "date": _("date"),
    "datetime": _("date and time"),
    "boolean": _("yes/no"),
    "picklist": _("picklist"),
    "multiselect": _("multi-select"),
    "lookup": _("lookup"),
    "subform": _("subform"),
    "tax": _("tax"),
    "other": _("other"),
}


@dataclass
class Row:
    path: str
    xero_field: object
    zoho: forms.BoundField
    join: forms.BoundField
    constant: forms.BoundField
    transform: forms.BoundField
    param: forms.BoundField
    table: forms.BoundField
    accepts: list
    mapped: list

    @property
    def errors(self):
        return (
            self.zoho.errors
            + self.join.errors
            + self.constant.errors
            + self.transform.errors
            + self.param.errors
            + self.table.errors
        )

    @property
    def transform_label(self):
        return dict(TRANSFORM_CHOICES).get(self.transform.value() or "", "")

    @property
    def type_label(self):
        return TYPE_LABELS.get(self.xero_field.type, self.xero_field.type)

    @property
    def has_options(self):
        return any(
            field.value() for field in (self.join, self.constant, self.transform, self.param, self.table)
        )


def _number_format(pattern: str) -> dict:
    """``"1.234,56"`` -> decimal ",", thousands ".", 2 places; ``"1234.5"`` -> ".", "", 1."""
    separators = [(index, char) for index, char in enumerate(pattern) if not char.isdigit()]
    if not separators or not any(char.isdigit() for char in pattern):
        raise forms.ValidationError(_("Give an example number such as 1.234,56 or 1234.50."))
    decimal_index, decimal_char = separators[-1]
    thousands = separators[0][1] if len(separators) > 1 else ""
    if thousands == decimal_char:
        decimal_char, thousands, decimal_index = ".", thousands, len(pattern)
    return {
        "decimal": decimal_char,
        "thousands": thousands,
        "places": len(pattern) - decimal_index - 1 if decimal_index < len(pattern) else 0,
    }


class MappingForm(forms.Form):
    def __init__(self, *args, module_key, direction, zoho_fields, rules, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.module_key = module_key
        self.module = get_module(module_key)
        self.direction = direction
        self.zoho_fields = zoho_fields
        self.zoho_index = {field["api_name"]: field for field in zoho_fields}
        if direction == ZOHO_TO_XERO:
            self.zoho_index["id"] = ID_FIELD
        self.existing = {rule["xero"]: rule for rule in rules}
        self.warnings = []
        self.rules = []
        self.xero_fields = [
            field
            for field in self.module.xero.fields
            if not (direction == ZOHO_TO_XERO and field.read_only)
            and not (direction == XERO_TO_ZOHO and field.write_only)
        ]
        for xero_field in self.xero_fields:
            self._add_row_fields(xero_field)
        if read_only:  # read-only members see the mapping as it is
            for field in self.fields.values():
                field.disabled = True

    def zoho_choices(self, line: bool):
        fields = [
            field
            for field in self.zoho_index.values()
            if paths.is_line_path(field["api_name"]) == line
            and field["kind"] != "subform"
            and not (self.direction == XERO_TO_ZOHO and field.get("read_only"))
        ]
        return [("", _("— not mapped —"))] + [
            (field["api_name"], f"{field['label']} ({field['api_name']})") for field in fields
        ]

    def _add_row_fields(self, xero_field):
        path = xero_field.path
        rule = self.existing.get(path, {})
        sources = zoho_paths(rule)
        choices = self.zoho_choices(xero_field.is_line_field)
        known = {value for value, _label in choices}
        for (
            source
        ) in sources:  # keep a saved field that the metadata no longer lists, so it can be seen and fixed
            if source not in known:
                choices.append((source, source))
        transform = rule.get("transform") or {}
        kind = transform.get("kind", "")
        self.fields[f"zoho:{path}"] = forms.ChoiceField(
            label=_("Zoho field"), choices=choices, required=False, initial=sources[0] if sources else ""
        )
        self.fields[f"join:{path}"] = forms.ChoiceField(
            label=_("Second Zoho field (join, or the next one to try)"),
            choices=choices,
            required=False,
            initial=sources[1] if len(sources) > 1 else "",
        )
        constant = rule.get("constant")
        self.fields[f"constant:{path}"] = forms.CharField(
            label=_("Constant value"),
            required=False,
            max_length=255,
            initial="" if constant is None else str(constant),
        )
        self.fields[f"transform:{path}"] = forms.ChoiceField(
            label=_("Transform"), choices=TRANSFORM_CHOICES, required=False, initial=kind
        )
        self.fields[f"param:{path}"] = forms.CharField(
            label=_("Transform setting"),
            required=False,
            max_length=100,
            help_text=PARAM_HELP,
            initial=self._param_initial(transform),
        )
        table = transform.get("table") or {}
        self.fields[f"table:{path}"] = forms.CharField(
            label=_("Value table"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=TABLE_HELP,
            initial="\n".join(f"{key} = {value}" for key, value in table.items()),
        )

    @staticmethod
    def _param_initial(transform):
        kind = transform.get("kind")
        if kind == "join":
            return transform.get("separator", " ")
        if kind == "date":
            return transform.get("format", "")
        if kind in ("round",):
            return str(transform.get("places", ""))
        if kind == "truncate":
            return str(transform.get("length", ""))
        if kind == "number":
            places = int(transform.get("places") or 0)
            return (
                "1"
                + transform.get("thousands", "")
                + "234"
                + ((transform.get("decimal", ".") + "5" * places) if places else "")
            )
        return ""

    def rows(self):
        rows = []
        for xero_field in self.xero_fields:
            path = xero_field.path
            zoho = self[f"zoho:{path}"]
            values = [zoho.value(), self[f"join:{path}"].value()]
            mapped = [
                self.zoho_index.get(value) or {"api_name": value, "label": value, "kind": ""}
                for value in values
                if value
            ]
            rows.append(
                Row(
                    path,
                    xero_field,
                    zoho,
                    self[f"join:{path}"],
                    self[f"constant:{path}"],
                    self[f"transform:{path}"],
                    self[f"param:{path}"],
                    self[f"table:{path}"],
                    accepted_kinds(xero_field.type),
                    mapped,
                )
            )
        return rows

    # --- turning the rows into rules ---------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        rules = []
        for xero_field in self.xero_fields:
            rule = self._rule(xero_field, cleaned)
            if rule is not None:
                rules.append(rule)
        if self.errors:
            return cleaned
        for problem in validate_mapping(self.module_key, self.direction, rules, self.zoho_fields):
            if problem.severity != ERROR:
                self.warnings.append(problem.message)
            elif problem.field and f"zoho:{problem.field}" in self.fields:
                self.add_error(f"zoho:{problem.field}", problem.message)
            else:
                self.add_error(None, problem.message)
        self.rules = rules
        return cleaned

    def _rule(self, xero_field, cleaned):
        path = xero_field.path
        zoho, second = cleaned.get(f"zoho:{path}") or "", cleaned.get(f"join:{path}") or ""
        constant = (cleaned.get(f"constant:{path}") or "").strip()
        kind = cleaned.get(f"transform:{path}") or ""
        param = cleaned.get(f"param:{path}") or ""
        if not zoho and not constant and kind not in ("tax_mode", "account_code"):
            return None
        if self.direction == XERO_TO_ZOHO and constant and not zoho:
            self.add_error(f"zoho:{path}", _("Choose the Zoho field the constant value goes into."))
            return None
        if not kind and zoho:
            kind = implied_transform(xero_field.type, self.zoho_index.get(zoho, {}).get("kind", "")) or ""
        sources = [value for value in (zoho, second) if value]
        rule = {"xero": path}
        if sources:
            rule["zoho"] = sources[0] if len(sources) == 1 else sources
        if constant:
            rule["constant"] = constant
        transform = self._transform(path, kind, param, cleaned.get(f"table:{path}") or "", sources)
        if transform:
            rule["transform"] = transform
        previous = self.existing.get(path, {})
        if previous.get("fallback") and zoho_paths(previous)[:1] == sources[:1]:
            rule["fallback"] = previous["fallback"]
        return rule

    def _transform(self, path, kind, param, table_text, sources):
        field = f"param:{path}"
        if not kind:
            return None
        if kind == "join":
            if len(sources) < 2:
                self.add_error(f"join:{path}", _("Choose the second Zoho field to join."))
            return {"kind": "join", "separator": param if param != "" else " "}
        if kind == "date":
            if param:
                try:
                    sample = date(2001, 12, 31).strftime(param)
                    if sample == param:
                        raise ValueError(param)
                except ValueError:
                    self.add_error(
                        field,
                        _("%(pattern)s is not a date pattern. Use e.g. %%d.%%m.%%Y.") % {"pattern": param},
                    )
            return {"kind": "date", "format": param}
        if kind == "number":
            try:
                return {"kind": "number", **_number_format(param or "1234.00")}
            except forms.ValidationError as error:
                self.add_error(field, error)
                return None
        if kind in ("round", "truncate"):
            try:
                number = int(param or (2 if kind == "round" else 0))
                if number < 0 or (kind == "truncate" and number == 0) or number > 4000:
                    raise ValueError(number)
            except ValueError:
                self.add_error(field, _("Enter a whole number."))
                return None
            return (
                {"kind": "round", "places": number}
                if kind == "round"
                else {"kind": "truncate", "length": number}
            )
        if kind == "value_table":
            table = {}
            for number, line in enumerate(table_text.splitlines(), start=1):
                if not line.strip():
                    continue
                source, separator, target = line.partition("=")
                if not separator or not source.strip():
                    self.add_error(
                        f"table:{path}",
                        _("Line %(line)s: write a pair as Zoho value = Xero value.") % {"line": number},
                    )
                    return None
                table[source.strip()] = target.strip()
            if not table:
                self.add_error(f"table:{path}", _("Enter at least one pair for the value table."))
            previous = (self.existing.get(path, {}).get("transform") or {}).get("default")
            return {"kind": "value_table", "table": table, **({"default": previous} if previous else {})}
        if kind == "lookup":
            modules = [self.zoho_index.get(source, {}).get("lookup_module") for source in sources]
            if not all(modules):
                self.add_error(f"transform:{path}", _("A linked record needs Zoho lookup fields."))
                return None
            return {"kind": "lookup", "modules": modules}
        if kind == "tax":
            shape = "line_tax" if sources and sources[0].endswith("Line_Tax") else "product_tax"
            return {"kind": "tax", "zoho_shape": shape}
        return {"kind": kind}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Mapping file (JSON)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload
