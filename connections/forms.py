from django import forms
from django.utils.translation import gettext_lazy as _


class XeroOrganisationsForm(forms.Form):
    """Pick which connected Xero organisations to sync."""

    organisations = forms.MultipleChoiceField(
        label=_("Xero organisations to sync"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, xero_organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = [(str(o.pk), o.tenant_name or o.tenant_id) for o in xero_organisations]

    def clean_organisations(self):
        chosen = self.cleaned_data.get("organisations") or []
        if not chosen and self.fields["organisations"].choices:
            raise forms.ValidationError(
                _("Choose at least one Xero organisation: the portal syncs only the organisations chosen here. "
                  "To stop syncing one for good, reset its connection on its Settings page."),
                code="empty")
        return chosen


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)
