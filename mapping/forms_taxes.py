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

    def __init__(self, *args, modules, accounts, current, suggested="", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— none —"))] + [
            (account.code, f"{account.code} {account.name}") for account in accounts
        ]
        offered = {code for code, _label in choices}
        self.modules = modules
        # A module with no saved account shows the suggestion (mapping.accounts), pre-selected but not saved.
        self.unsaved = [m.key for m in modules if not current.get(m.key) and suggested and suggested in offered]
        for module in modules:
            self.fields[f"account:{module.key}"] = forms.ChoiceField(
                label=module.label, choices=choices, required=False,
                initial=current.get(module.key) or (suggested if module.key in self.unsaved else ""),
            )

    def rows(self):
        return [(module, self[f"account:{module.key}"], module.key in self.unsaved) for module in self.modules]

    def choices(self) -> dict:
        return {module.key: self.cleaned_data.get(f"account:{module.key}") or "" for module in self.modules}

    def posted_choices(self) -> dict:
        """The choices of the fields the form that was posted had (a page posting only its tax mapping leaves the
        saved accounts alone)."""
        return {key: code for key, code in self.choices().items() if f"account:{key}" in self.data}


class ItemlessLinesForm(forms.Form):
    """The Zoho product (by name) that Xero invoice lines without an item become: one default, and optionally one
    per sales account code. An empty field removes the choice."""

    def __init__(self, *args, accounts, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [""] + [account.code for account in accounts]
        self.fields["line_product:"] = forms.CharField(
            label=_("Zoho product for lines without an item (default)"), required=False, max_length=200,
            initial=(current.get("") or {}).get("name", ""),
            help_text=_("Zoho CRM requires a product on every invoice line. Lines of any account without a "
                        "product of their own below become this product; their description, quantity, price and "
                        "tax are kept. Use a product that is not a Xero item, for example \"Freight\"."))
        for account in accounts:
            self.fields[f"line_product:{account.code}"] = forms.CharField(
                label=_("Lines of account %(account)s") % {"account": f"{account.code} {account.name}"},
                required=False, max_length=200, initial=(current.get(account.code) or {}).get("name", ""))

    def names(self) -> dict:
        """{account code or "": the product name typed, or ""}."""
        return {code: (self.cleaned_data.get(f"line_product:{code}") or "").strip() for code in self.codes}
