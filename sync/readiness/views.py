"""The "Ready to sync" page: the checklist and one Start syncing per module and direction. Thin: the logic is in
sync/readiness/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from connections import services as connection_services
from connections.models import XeroOrganisation
from tenancy.access import current_organisation, require_manager, scoped, tenant_object_or_404

from ..models import MODULE_LABELS
from . import services
from .forms import StartForm


def _chosen(request):
    return scoped(request, XeroOrganisation).filter(selected=True).order_by("tenant_name", "created_at")


@login_required
def ready_page(request):
    first = _chosen(request).first()
    if first is not None:
        return redirect("sync:ready_for", pk=first.pk)
    current_organisation(request)
    return render(request, "sync/ready.html", {"xero_organisation": None})


@login_required
@require_http_methods(["GET", "POST"])
def ready_for(request, pk):
    xero_organisation = tenant_object_or_404(request, XeroOrganisation.objects.select_related("organisation"), pk=pk)
    can_manage = bool(request.membership and request.membership.can_manage)
    if request.method == "POST":
        require_manager(request)
        action = request.POST.get("action")
        if action == "mapping_reviewed":
            services.mark_mapping_reviewed(xero_organisation, request.user)
            messages.success(request, _("Marked as reviewed: the field mapping."))
            return redirect("sync:ready_for", pk=xero_organisation.pk)
        form = StartForm(request.POST)
        if action in ("start", "stop") and form.is_valid():
            module, direction = form.cleaned_data["module"], form.cleaned_data["direction"]
            names = {"module": MODULE_LABELS[module], "direction": services.DIRECTION_LABELS[direction],
                     "name": xero_organisation.tenant_name}
            if action == "start":
                if not connection_services.ready_for_sync(xero_organisation.organisation, xero_organisation):
                    messages.error(request, _("Not started: the connections are not ready. Connect Zoho CRM and "
                                              "Xero, choose this organisation and accept the terms first."))
                    return redirect("sync:ready_for", pk=xero_organisation.pk)
                services.start_syncing(xero_organisation, module, direction)
                messages.success(request, _("%(module)s now sync %(direction)s with %(name)s (Cron Sync, every ten "
                                            "minutes).") % names)
            else:
                services.stop_syncing(xero_organisation, module, direction)
                messages.success(request, _("%(module)s no longer sync %(direction)s with %(name)s.") % names)
            return redirect("sync:ready_for", pk=xero_organisation.pk)
        messages.error(request, _("Nothing was changed: that request was not understood."))
        return redirect("sync:ready_for", pk=xero_organisation.pk)
    checks = services.checklist(xero_organisation)
    return render(request, "sync/ready.html", {
        "xero_organisation": xero_organisation,
        "xero_organisations": _chosen(request),
        "checks": checks,
        "all_done": all(check.done for check in checks),
        "states": services.module_states(xero_organisation),
        "ready": connection_services.ready_for_sync(xero_organisation.organisation, xero_organisation),
        "can_manage": can_manage,
    })
