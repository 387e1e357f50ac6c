"""Forms of the trigger pages: Historical Sync and Copy to Xero."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .engine.modules import MODULE_ORDER
from .models import MODULE_LABELS
from .triggers.historical import with_dependencies

MODULE_CHOICES = [(module, MODULE_LABELS[module]) for module in MODULE_ORDER]


class HistoricalSyncForm(forms.Form):
    xero_organisation = forms.ModelChoiceField(label=_("Xero organisation"), queryset=None, empty_label=None)
    modules = forms.MultipleChoiceField(
        label=_("Modules"), choices=MODULE_CHOICES, widget=forms.CheckboxSelectMultiple,
        help_text=_("Choosing Invoices also syncs Accounts and Products, which invoices need; choosing Contacts also "
                    "syncs Accounts. A Zoho contact becomes a contact person of its account's Xero contact, and the "
                    "contact persons of a Xero contact become Zoho contacts of its account."),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    xero_to_zoho = forms.BooleanField(
        label=_("Switch to perform Xero data sync"), required=False,
        help_text=_("Off: Zoho CRM records are copied to Xero. On: Xero records are copied to Zoho CRM."),
    )
    resync_all = forms.BooleanField(
        label=_("Re-sync all"), required=False,
        help_text=_("By default only records not yet synced are included."),
    )

    def __init__(self, *args, xero_organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["xero_organisation"].queryset = xero_organisations

    def clean_modules(self):
        return with_dependencies(self.cleaned_data["modules"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The To date must be on or after the From date."))
        return cleaned


class CopySearchForm(forms.Form):
    module = forms.ChoiceField(label=_("Module"), choices=MODULE_CHOICES, initial="accounts")
    name = forms.CharField(label=_("Name starts with"), max_length=120)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise forms.ValidationError(_("Type at least two characters."))
        return name


class CopyForm(forms.Form):
    module = forms.ChoiceField(choices=MODULE_CHOICES)
    record_id = forms.RegexField(regex=r"^[0-9]{1,19}\Z")  # a Zoho id: ASCII digits, a 64-bit integer
