"""Mapping screens: the module list, the editor, Zoho field refresh, export and import. Logic in services."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connections.exceptions import ProviderError
from connections.services import selected_xero_organisations, zoho_connection
from tenancy.access import current_organisation, require_manager

from . import clients, services, taxes
from .forms import KIND_LABELS, ImportForm, MappingForm
from .registry import (
    DIRECTION_BY_SLUG,
    DIRECTION_LABELS,
    DIRECTION_SLUGS,
    MAPPABLE_MODULES,
    MODULES,
    mappable_module,
)


def _can_manage(request) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can_manage)


@login_required
def index(request):
    organisation = current_organisation(request)
    modules = [
        {
            "module": MODULES[key],
            "directions": [
                {
                    "label": DIRECTION_LABELS[direction],
                    "slug": DIRECTION_SLUGS[direction],
                    "customised": services.is_customised(organisation, key, direction),
                }
                for direction in DIRECTION_SLUGS
            ],
        }
        for key in MAPPABLE_MODULES
    ]
    return render(
        request,
        "mapping/index.html",
        {
            "modules": modules,
            "fields_refreshed_at": services.zoho_fields_refreshed_at(organisation),
            "can_manage": _can_manage(request),
            "import_form": ImportForm(),
        },
    )


def _palette(form, line):
    """The Zoho fields offered for dragging: the same as the selects offer."""
    offered = {value for value, _label in form.zoho_choices(line) if value}
    return [
        {**field, "kind_label": KIND_LABELS.get(field["kind"], field["kind"])}
        for field in form.zoho_index.values()
        if field["api_name"] in offered
    ]


def _editor_context(request, module, direction, form):
    return {
        "module": module,
        "direction": direction,
        "direction_label": DIRECTION_LABELS[direction],
        "direction_slug": DIRECTION_SLUGS[direction],
        "other_direction_slug": next(slug for key, slug in DIRECTION_SLUGS.items() if key != direction),
        "form": form,
        "rows": form.rows(),
        "header_fields": _palette(form, line=False),
        "line_fields": _palette(form, line=True),
        "customised": services.is_customised(current_organisation(request), module.key, direction),
        "can_manage": _can_manage(request),
        "fields_refreshed_at": services.zoho_fields_refreshed_at(current_organisation(request)),
        "checks": _checks(current_organisation(request), module.key, direction) if not form.is_bound else [],
    }


def _checks(organisation, module_key, direction):
    """What the check before every sync says about the saved mapping, per Xero organisation chosen for sync."""
    xero_organisations = list(selected_xero_organisations(organisation)) or [None]
    results = []
    for xero_organisation in xero_organisations:
        for problem in taxes.problems_before_sync(organisation, xero_organisation, module_key, direction):
            results.append({"xero_organisation": xero_organisation, "problem": problem})
    return results


@login_required
@require_http_methods(["GET", "POST"])
def editor(request, module_key, direction_slug):
    organisation = current_organisation(request)
    try:
        module = mappable_module(module_key)
        direction = DIRECTION_BY_SLUG[direction_slug]
    except (LookupError, KeyError):
        raise Http404("No such mapping") from None
    fields = services.zoho_fields(organisation, module.key)
    if request.method == "POST":
        require_manager(request)
        if "reset" in request.POST:
            services.reset_mapping(organisation, module.key, direction, request.user)
            messages.success(request, _("The mapping is back to the defaults."))
            return redirect(request.path)
        form = MappingForm(
            request.POST,
            module_key=module.key,
            direction=direction,
            zoho_fields=fields,
            rules=services.get_mapping(organisation, module.key, direction)["rules"],
        )
        if form.is_valid():
            services.save_mapping(organisation, module.key, direction, form.rules, request.user)
            messages.success(request, _("Mapping saved."))
            for warning in form.warnings:
                messages.warning(request, warning)
            return redirect(request.path)
        messages.error(request, _("The mapping was not saved. Correct the fields marked below."))
        return render(request, "mapping/editor.html", _editor_context(request, module, direction, form))
    form = MappingForm(
        module_key=module.key,
        direction=direction,
        zoho_fields=fields,
        rules=services.get_mapping(organisation, module.key, direction)["rules"],
        read_only=not _can_manage(request),
    )
    return render(request, "mapping/editor.html", _editor_context(request, module, direction, form))


@login_required
@require_POST
def refresh_zoho_fields(request):
    require_manager(request)
    organisation = current_organisation(request)
    connection = zoho_connection(organisation)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("mapping:index")
    if connection is None:
        messages.error(request, _("Connect Zoho CRM first: the fields are read from your Zoho CRM."))
        return redirect(back)
    try:
        count = services.refresh_zoho_fields(organisation, clients.zoho_client(connection))
    except ProviderError as error:
        messages.error(request, clients.provider_message(error))
        return redirect(back)
    messages.success(request, _("%(count)s Zoho fields refreshed.") % {"count": count})
    return redirect(back)


@login_required
def export(request):
    """All mappings, or one module (?module=invoices) and optionally one direction (&direction=zoho-to-xero)."""
    organisation = current_organisation(request)
    module = request.GET.get("module") or None
    slug = request.GET.get("direction") or None
    direction = DIRECTION_BY_SLUG.get(slug, slug) if slug else None
    if slug and not module:
        module = "unknown"  # a direction needs its module
    try:
        data = services.export_mappings(organisation, module, direction)
    except LookupError:
        messages.error(request, _("There is no such mapping to export. Choose a module and direction from the list."))
        return _refused(request)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d")
    name = "-".join(part for part in ("syncportal-mappings", module, slug and DIRECTION_SLUGS[direction], stamp) if part)
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


def _refused(request):
    """A refused import: the mapping list with the reason, answered 400 (nothing was changed)."""
    response = index(request)
    response.status_code = 400
    return response


@login_required
@require_POST
def import_view(request):
    require_manager(request)
    organisation = current_organisation(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _refused(request)
    try:
        data = services.parse_import(form.cleaned_data["file"].read())
    except services.ImportRefused as refused:
        messages.error(request, refused.message)
        return _refused(request)
    count = services.import_mappings(organisation, data, request.user)
    messages.success(request, _("Mappings imported: %(count)s customised.") % {"count": count})
    return redirect("mapping:index")
