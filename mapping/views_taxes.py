"""Taxes (Zoho taxes -> Xero tax rates, the invoice tax mode) and the Xero chart of accounts (default sales
accounts), per Xero organisation chosen with ``?xero=<uuid>``."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connections.exceptions import ProviderError
from connections.models import XeroOrganisation
from connections.services import xero_organisations, zoho_connection
from tenancy.access import current_organisation, require_manager, tenant_object_or_404

from . import clients, services, taxes
from .accounts import suggest_sales_account
from .forms_taxes import DefaultAccountsForm, ItemlessLinesForm, TaxMappingForm, TaxModeForm
from .models import XeroAccount, ZohoTax
from .registry import ACCOUNT_CODE_MODULES, MODULES
from .validation import tax_mapping_problems


def _chosen_xero_organisation(request):
    """The Xero organisation named by ?xero= (404 unless it is the current organisation's), else the first one."""
    wanted = request.GET.get("xero") or request.POST.get("xero")
    if wanted:
        try:
            uuid.UUID(wanted)
        except ValueError:
            raise BadRequest("?xero= is not a UUID") from None  # the 400 page: "could not understand"
        return tenant_object_or_404(request, XeroOrganisation, pk=wanted)
    organisation = current_organisation(request)
    return xero_organisations(organisation).order_by("-selected", "tenant_name").first()


def _url(name, xero_organisation):
    url = reverse(name)
    return f"{url}?xero={xero_organisation.pk}" if xero_organisation else url


def _can_manage(request):
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can_manage)


def _default_accounts(xero_organisation):
    """The default sales accounts form's arguments (the saved choices, else the chart's suggestion) and what the
    page says about the suggestion."""
    chart = taxes.sales_accounts(xero_organisation) if xero_organisation else XeroAccount.objects.none()
    suggestion = suggest_sales_account(
        XeroAccount.objects.filter(xero_organisation=xero_organisation) if xero_organisation else [])
    args = {
        "modules": [MODULES[key] for key in ACCOUNT_CODE_MODULES],
        "accounts": chart,
        "current": taxes.default_accounts(xero_organisation) if xero_organisation else {},
        "suggested": suggestion.code,
    }
    explanation = suggestion.explanation(xero_organisation.tenant_name) if xero_organisation else ""
    return args, explanation


@login_required
@require_http_methods(["GET", "POST"])
def tax_mapping(request):
    organisation = current_organisation(request)
    xero_organisation = _chosen_xero_organisation(request)
    zoho_taxes = ZohoTax.objects.filter(organisation=organisation)
    rates = taxes.sales_tax_rates(xero_organisation) if xero_organisation else []
    current = taxes.tax_mappings(xero_organisation) if xero_organisation else {}
    suggestions = {tax.name: taxes.suggest_tax_type(tax.percentage, rates, tax.name) for tax in zoho_taxes}
    form_args = {"zoho_taxes": zoho_taxes, "tax_rates": rates, "current": current, "suggestions": suggestions}
    mode_form = TaxModeForm(initial={"tax_mode": services.tax_mode(organisation)})
    form = TaxMappingForm(**form_args)
    # What a sales line needs besides its tax rate: the default sales account, suggested and saved here too.
    accounts_args, account_suggestion = _default_accounts(xero_organisation)
    accounts_form = DefaultAccountsForm(**accounts_args)
    if request.method == "POST":
        require_manager(request)
        mode_form = TaxModeForm(request.POST)
        form = TaxMappingForm(request.POST, **form_args)
        accounts_form = DefaultAccountsForm(request.POST, **accounts_args)
        if mode_form.is_valid() and form.is_valid() and accounts_form.is_valid():
            services.set_tax_mode(organisation, mode_form.cleaned_data["tax_mode"])
            if xero_organisation:
                taxes.save_tax_mappings(xero_organisation, form.choices())
                taxes.save_default_accounts(xero_organisation, accounts_form.posted_choices())
            messages.success(request, _("Tax mapping saved."))  # what is still wrong is listed on the page
            if xero_organisation and accounts_form.posted_choices():
                messages.success(request, _("Default sales accounts saved."))
            return redirect(_url("mapping:taxes", xero_organisation))
    return render(
        request,
        "mapping/taxes.html",
        {
            "xero_organisation": xero_organisation,
            "xero_organisations": xero_organisations(organisation),
            "form": form,
            "mode_form": mode_form,
            "accounts_form": accounts_form,
            "account_suggestion": account_suggestion,
            "rates": rates,
            "problems": tax_mapping_problems(taxes.tax_context(organisation, xero_organisation))
            if xero_organisation
            else [],
            "can_manage": _can_manage(request),
            # "suggestion, not saved" beside a pre-selected suggestion only, not beside "— not mapped —"
            "unsaved": [tax.name for tax in zoho_taxes if not current.get(tax.name) and suggestions.get(tax.name)],
            "suggested_unsaved": any(suggestions.get(tax.name) and not current.get(tax.name) for tax in zoho_taxes),
        },
    )


@login_required
@require_POST
def refresh_taxes(request):
    """Refresh the Zoho taxes and the chosen Xero organisation's tax rates and chart of accounts."""
    require_manager(request)
    organisation = current_organisation(request)
    xero_organisation = _chosen_xero_organisation(request)
    back = _url(
        "mapping:accounts" if request.POST.get("back") == "accounts" else "mapping:taxes", xero_organisation
    )
    connection = zoho_connection(organisation)
    try:
        if connection is not None:
            count = taxes.refresh_zoho_taxes(organisation, clients.zoho_client(connection))
            messages.success(request, _("%(count)s Zoho taxes refreshed.") % {"count": count})
        if xero_organisation is not None:
            rates, accounts = taxes.refresh_xero_reference(
                xero_organisation, clients.xero_client(xero_organisation)
            )
            messages.success(
                request,
                _("%(rates)s Xero tax rates and %(accounts)s accounts refreshed.")
                % {"rates": rates, "accounts": accounts},
            )
    except ProviderError as error:
        messages.error(request, clients.provider_message(error))
        return redirect(back)
    if connection is None and xero_organisation is None:
        messages.error(request, _("Connect Zoho CRM and Xero first."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def accounts(request):
    organisation = current_organisation(request)
    xero_organisation = _chosen_xero_organisation(request)
    chart = (
        XeroAccount.objects.filter(xero_organisation=xero_organisation)
        if xero_organisation
        else XeroAccount.objects.none()
    )
    form_args, account_suggestion = _default_accounts(xero_organisation)
    form = DefaultAccountsForm(**form_args)
    lines_args = {"accounts": form_args["accounts"],
                  "current": taxes.line_products(xero_organisation) if xero_organisation else {}}
    lines_form = ItemlessLinesForm(**lines_args)
    if request.method == "POST" and request.POST.get("form") == "itemless":
        require_manager(request)
        lines_form = ItemlessLinesForm(request.POST, **lines_args)
        if xero_organisation and lines_form.is_valid() and _save_line_products(
                request, organisation, xero_organisation, lines_form):
            messages.success(request, _("Products for lines without an item saved."))
            return redirect(_url("mapping:accounts", xero_organisation))
    elif request.method == "POST":
        require_manager(request)
        form = DefaultAccountsForm(request.POST, **form_args)
        if xero_organisation and form.is_valid():
            taxes.save_default_accounts(xero_organisation, form.choices())
            messages.success(request, _("Default sales accounts saved."))
            return redirect(_url("mapping:accounts", xero_organisation))
    return render(
        request,
        "mapping/accounts.html",
        {
            "xero_organisation": xero_organisation,
            "xero_organisations": xero_organisations(organisation),
            "chart": chart,
            "form": form,
            "account_suggestion": account_suggestion,
            "lines_form": lines_form,
            "can_manage": _can_manage(request),
        },
    )


def _save_line_products(request, organisation, xero_organisation, form) -> bool:
    """Find each typed name among the Zoho products, then save; a name with no or several products is a field
    error saying what to do, and nothing is saved."""
    names = form.names()
    current = taxes.line_products(xero_organisation)
    unchanged = {code for code, name in names.items() if name and (current.get(code) or {}).get("name") == name}
    wanted = [name for code, name in names.items() if name and code not in unchanged]
    connection = zoho_connection(organisation)
    if wanted and connection is None:
        form.add_error(None, _("Connect Zoho CRM first: the products are looked up there."))
        return False
    try:
        found = taxes.find_zoho_products(clients.zoho_client(connection), wanted) if wanted else {}
    except ProviderError as error:
        messages.error(request, clients.provider_message(error))
        return False
    chosen = {}
    for code, name in names.items():
        field = f"line_product:{code}"
        if not name:
            chosen[code] = None
        elif code in unchanged:
            chosen[code] = current[code]
        elif len(found.get(name, [])) == 1:
            chosen[code] = found[name][0]
        elif not found.get(name):
            form.add_error(field, _("Zoho CRM has no product called \"%(name)s\". Create it in Zoho CRM (for "
                                    "example as a non-stock product), or correct the name, then save again.")
                           % {"name": name})
        else:
            form.add_error(field, _("Zoho CRM has %(count)s products called \"%(name)s\". Rename all but one in "
                                    "Zoho CRM, then save again.") % {"count": len(found[name]), "name": name})
    if form.errors:
        return False
    taxes.save_line_products(xero_organisation, chosen)
    return True
