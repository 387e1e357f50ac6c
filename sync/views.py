"""The sync Settings page (per Xero organisation), the Historical Sync placeholder, and the dashboard's Cancel of a
sync run. Views stay thin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connections.models import XeroOrganisation
from mapping import services as mapping_services
from tenancy.access import current_organisation, require_manager, scoped, tenant_object_or_404

from . import routing, runs, settings_services
from .forms import ModuleSettingsForm, OrganisationSettingsForm, RoutingForm
from .models import MODULE_LABELS, SyncRun
from .trigger_models import ButtonKey
from .triggers import keys


def _xero_organisations(request):
    return scoped(request, XeroOrganisation).order_by("-selected", "tenant_name", "created_at")


@login_required
def settings_page(request):
    first = _xero_organisations(request).first()
    if first is not None:
        return redirect("sync:settings_for", pk=first.pk)
    current_organisation(request)
    return render(request, "sync/settings.html", {"xero_organisations": [], "xero_organisation": None,
                                                  "button_keys": _button_keys(request)})


@login_required
def settings_for(request, pk):
    xero_organisation = tenant_object_or_404(request, XeroOrganisation, pk=pk)
    organisation = current_organisation(request)
    read_only = not request.membership.can_manage
    module_settings = settings_services.all_module_settings(xero_organisation)
    organisation_settings = settings_services.organisation_settings(organisation)
    data = None
    if request.method == "POST":
        require_manager(request)
        data = request.POST
    organisation_form = OrganisationSettingsForm(data, instance=organisation_settings, read_only=read_only,
                                                 prefix="organisation")
    # The routing rule is optional in the POST (forms that predate it keep working).
    routing_data = data if data is not None and any(key.startswith("routing-") for key in data) else None
    routing_form = RoutingForm(routing_data, instance=routing.rule_of(xero_organisation), prefix="routing",
                               account_fields=mapping_services.zoho_fields(organisation, "accounts"),
                               read_only=read_only)
    module_forms = [
        ModuleSettingsForm(data, instance=settings, prefix=settings.module, read_only=read_only)
        for settings in module_settings
    ]
    if data is not None:
        routing_valid = routing_data is None or routing_form.is_valid()
        if organisation_form.is_valid() and all(form.is_valid() for form in module_forms) and routing_valid:
            with transaction.atomic():
                organisation_form.save()
                if routing_data is not None:
                    routing_form.save()
                for form in module_forms:
                    form.save()
            messages.success(request, _("The configuration was updated."))
            return redirect("sync:settings_for", pk=xero_organisation.pk)
        messages.error(request, _("The configuration was not saved. Please correct the fields marked below."))
    modules = [(MODULE_LABELS[form.instance.module], form) for form in module_forms]
    return render(
        request,
        "sync/settings.html",
        {
            "xero_organisations": _xero_organisations(request),
            "xero_organisation": xero_organisation,
            "organisation_form": organisation_form,
            "routing_form": routing_form,
            "other_organisations": _xero_organisations(request).filter(selected=True).exclude(pk=xero_organisation.pk),
            "modules": modules,
            "read_only": read_only,
            "button_keys": _button_keys(request),
        },
        status=400 if data is not None else 200,
    )


@login_required
@require_POST
def cancel_run(request, pk):
    """The dashboard's Cancel button: stop a running or stuck sync run of the current organisation."""
    require_manager(request)
    run = tenant_object_or_404(request, SyncRun, pk=pk)
    if runs.cancel_run(run):
        messages.success(request, _("The sync was cancelled. The records it did not sync are in the audit log."))
    else:
        messages.info(request, _("That sync had already finished."))
    return redirect("tenancy:home")


def _button_keys(request):
    """The keys behind the URLs pasted into Zoho (Copy to Xero button, workflow webhook), for managers."""
    if not request.membership or not request.membership.can_manage:
        return []
    organisation = current_organisation(request)
    return [{"purpose": purpose, "label": label, "key": keys.key_for(organisation, purpose)}
            for purpose, label in ButtonKey.PURPOSES]


@login_required
@require_POST
def rotate_key(request, purpose):
    """Replace a key: every URL given out with the old one stops working at once."""
    require_manager(request)
    if purpose not in dict(ButtonKey.PURPOSES):
        raise Http404("No such key")
    keys.regenerate(current_organisation(request), purpose)
    messages.success(request, _("New key made: the old URLs stop working now. Paste the new ones from the Copy "
                                "to Xero page into Zoho CRM."))
    return redirect("sync:settings")
