"""The Settings page forms: one per module of a Xero organisation, and the organisation-wide switches."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .engine.modules import DIRECTIONS, MODULES
from .models import ConflictPolicy, ModuleSettings, OrganisationSyncSettings, RoutingMode, ZohoRouting

SWITCHES = (
    "zoho_to_xero_create",
    "zoho_to_xero_update",
    "zoho_to_xero_delete",
    "xero_to_zoho_create",
    "xero_to_zoho_update",
    "xero_to_zoho_delete",
)


class ModuleSettingsForm(forms.ModelForm):
    conflict_policy = forms.ChoiceField(label=_("When both sides changed"), choices=ConflictPolicy.choices)

    class Meta:
        model = ModuleSettings
        fields = ("allow_sync", "cron", "conflict_policy", *SWITCHES)
        labels = {
            "allow_sync": _("Allow Sync"),
            "cron": _("Cron Sync (every ten minutes)"),
            "zoho_to_xero_create": _("Create"),
            "zoho_to_xero_update": _("Update"),
            "zoho_to_xero_delete": _("Delete"),
            "xero_to_zoho_create": _("Create"),
            "xero_to_zoho_update": _("Update"),
            "xero_to_zoho_delete": _("Delete"),
        }

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        module_spec = MODULES.get(self.instance.module)
        for direction in DIRECTIONS:  # a direction whose deletions the module cannot sync (contacts from Xero)
            if module_spec is not None and direction not in module_spec.deletes:
                self.fields[f"{direction}_delete"].disabled = True
                self.fields[f"{direction}_delete"].unsupported = True
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = OrganisationSyncSettings
        fields = ("on_save_sync",)
        labels = {"on_save_sync": _("On Save Sync")}
        help_texts = {
            "on_save_sync": _("Sync a Zoho CRM record to Xero as soon as it is saved (for the modules allowed below).")
        }

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if read_only:
            self.fields["on_save_sync"].disabled = True


class RoutingForm(forms.ModelForm):
    """Which new Zoho CRM records this Xero organisation takes (`sync.routing`)."""

    mode = forms.ChoiceField(label=_("New Zoho CRM records go to this Xero organisation"), choices=RoutingMode.choices,
                             widget=forms.RadioSelect)
    zoho_field = forms.ChoiceField(label=_("Zoho CRM account field"), required=False)
    value = forms.CharField(label=_("Value"), required=False, max_length=255)

    class Meta:
        model = ZohoRouting
        fields = ("mode", "zoho_field", "value")

    def __init__(self, *args, account_fields=(), read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a field"))] + [
            (field["api_name"], field.get("label") or field["api_name"]) for field in account_fields
            if field.get("api_name") and field.get("kind", field.get("data_type")) != "subform"
        ]
        current = self.instance.zoho_field
        if current and current not in {value for value, _label in choices}:
            choices.append((current, current))
        self.fields["zoho_field"].choices = choices
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == RoutingMode.FIELD:
            if not cleaned.get("zoho_field"):
                self.add_error("zoho_field", _("Choose the Zoho CRM account field that says where a record goes."))
            if not (cleaned.get("value") or "").strip():
                self.add_error("value", _("Enter the value that sends a record to this Xero organisation, for "
                                          "example its name or a billing country."))
        return cleaned
