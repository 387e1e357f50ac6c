"""Forms of the taxes and Xero Accounts screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TaxMode
from .problems import percent


class TaxModeForm(forms.Form):
    tax_mode = forms.ChoiceField(label=_("Invoice amounts are"), choices=TaxMode.choices)


class TaxMappingForm(forms.Form):
    """One select per Zoho tax (its Xero tax rate), pre-selected with the saved choice or the suggestion."""

    def __init__(self, *args, zoho_taxes, tax_rates, current, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not mapped —"))] + [
            (
                rate.tax_type,
                f"{rate.name} ({rate.tax_type}, {percent(rate.rate)} %)",
            )
            for rate in tax_rates
        ]
        self.zoho_taxes = list(zoho_taxes)
        for tax in self.zoho_taxes:
            self.fields[f"tax:{tax.name}"] = forms.ChoiceField(
                label=tax.name,
                choices=choices,
                required=False,
                initial=current.get(tax.name) or suggestions.get(tax.name) or "",
            )

    def rows(self):
        return [(tax, self[f"tax:{tax.name}"]) for tax in self.zoho_taxes]

    def choices(self) -> dict:
        return {tax.name: self.cleaned_data.get(f"tax:{tax.name}") or "" for tax in self.zoho_taxes}


class DefaultAccountsForm(forms.Form):
    """The default sales account of each module that posts to one (Products, Invoices)."""

    def __init__(self, *args, modules, accounts, current, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— none —"))] + [
            (account.code, f"{account.code} {account.name}") for account in accounts
        ]
        self.modules = modules
        for module in modules:
            self.fields[f"account:{module.key}"] = forms.ChoiceField(
                label=module.label, choices=choices, required=False, initial=current.get(module.key, "")
            )

    def choices(self) -> dict:
        return {module.key: self.cleaned_data.get(f"account:{module.key}") or "" for module in self.modules}
