"""The sandbox UI's record form, built from the module's fields (lookups typed as record ids)."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Tax
from .schema import fields_of

SKIP = {"Owner"}


def record_form_class(org, module: str):
    form_fields = {}
    for field in fields_of(module):
        if field.read_only or field.api_name in SKIP:
            continue
        kind, label = field.data_type, field.label
        if kind == "textarea":
            form_field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
        elif kind == "picklist":
            form_field = forms.ChoiceField(label=label, required=False, choices=[(v, v) for v in field.picklist])
        elif kind == "multiselectpicklist":
            form_field = forms.MultipleChoiceField(
                label=label, required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(str(tax.zid), tax.display_label) for tax in Tax.objects.filter(org=org)])
        elif kind in ("currency", "double"):
            form_field = forms.FloatField(label=label, required=False)
        elif kind == "integer":
            form_field = forms.IntegerField(label=label, required=False)
        elif kind == "boolean":
            form_field = forms.BooleanField(label=label, required=False)
        elif kind == "date":
            form_field = forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
        elif kind == "lookup":
            form_field = forms.CharField(label=label, required=False,
                                         help_text=_("The id of the %(module)s record.") % {"module": field.lookup})
        elif kind == "subform":
            form_field = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
                help_text=_('JSON list of lines, e.g. [{"Product_Name": {"id": "..."}, "Quantity": 2, '
                            '"List_Price": 10.5, "Line_Tax": [{"name": "GST"}]}]'))
        else:
            form_field = forms.CharField(label=label, required=False, max_length=field.length or None)
        form_fields[field.api_name] = form_field
    return type(f"{module}Form", (RecordForm,), {**form_fields, "module": module})


class RecordForm(forms.Form):
    module = ""

    def clean_Invoiced_Items(self):
        raw = self.cleaned_data.get("Invoiced_Items") or ""
        if not raw.strip():
            return []
        try:
            lines = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Enter the lines as a JSON list.")) from None
        if not isinstance(lines, list):
            raise forms.ValidationError(_("Enter the lines as a JSON list."))
        return lines

    def payload(self) -> dict:
        """The API payload of the form (empty text becomes null, as the API expects)."""
        data = {}
        for name, value in self.cleaned_data.items():
            if name == "Invoiced_Items":
                if value:
                    data[name] = value
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            if value == "" or value == []:
                value = [] if name == "Tax" else None
            data[name] = value
        return data


def initial_of(record, renderer) -> dict:
    initial = {}
    for field in fields_of(record.module):
        value = record.data.get(field.api_name)
        if field.data_type == "subform":
            lines = renderer.record(record)["Invoiced_Items"]
            initial[field.api_name] = json.dumps(
                [{"id": line["id"], "Product_Name": {"id": line["Product_Name"]["id"]}, "Quantity": line["Quantity"],
                  "List_Price": line["List_Price"], "Discount": line["Discount"], "Description": line["Description"],
                  "Line_Tax": [{"name": tax["name"]} for tax in line["Line_Tax"]]} for line in lines], indent=1)
        elif value is not None:
            initial[field.api_name] = value
    return initial
