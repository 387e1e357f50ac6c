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


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)
