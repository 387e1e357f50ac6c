"""The Settings page forms: one per module of a Xero organisation, and the organisation-wide switches."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConflictPolicy, ModuleSettings, OrganisationSyncSettings

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
