"""The sync Settings page (per Xero organisation), the Historical Sync placeholder, and the dashboard's Cancel of a
sync run. Views stay thin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connections.models import XeroOrganisation
from tenancy.access import current_organisation, require_manager, scoped, tenant_object_or_404

from . import runs, settings_services
from .forms import ModuleSettingsForm, OrganisationSettingsForm
from .models import MODULE_LABELS, SyncRun


def _xero_organisations(request):
    return scoped(request, XeroOrganisation).order_by("-selected", "tenant_name", "created_at")


@login_required
def settings_page(request):
    first = _xero_organisations(request).first()
    if first is not None:
        return redirect("sync:settings_for", pk=first.pk)
    current_organisation(request)
    return render(request, "sync/settings.html", {"xero_organisations": [], "xero_organisation": None})


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
    module_forms = [
        ModuleSettingsForm(data, instance=settings, prefix=settings.module, read_only=read_only)
        for settings in module_settings
    ]
    if data is not None:
        if organisation_form.is_valid() and all(form.is_valid() for form in module_forms):
            with transaction.atomic():
                organisation_form.save()
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
            "modules": modules,
            "read_only": read_only,
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
