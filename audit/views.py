"""The Audit page (list, rows partial, CSV), an entry's detail, and the dashboard. All read-only and
scoped to the current organisation through tenancy.access."""

import json

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenancy.access import scoped, tenant_object_or_404

from . import export, health, resync
from .forms import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, AuditFilterForm
from .links import record_links
from .listing import apply_filters, paginate
from .models import AuditEntry, Status
from .views_resync import latest_request

# Query parameters that are filters (kept by sort links, paging links and the CSV link).
DATE_PARAMS = {"date_from", "date_to"}
FILTER_PARAMS = ("date_from", "date_to", "module", "direction", "status", "trigger", "action", "xero", "q", "per_page",
                 "sort")


def xero_organisation_choices(request) -> list[tuple[str, str]]:
    """(tenant id, name) of the organisation's Xero organisations, for the filter. Read through the app
    registry: the audit app sits below connections and does not import it."""
    if request.organisation is None:
        return []
    model = apps.get_model("connections", "XeroOrganisation")
    rows = scoped(request, model).order_by("tenant_name", "created_at").values_list("tenant_id", "tenant_name")
    return list(dict(rows).items())


def _filtered(request):
    data = request.GET.copy()
    data.setdefault("per_page", str(DEFAULT_PER_PAGE))  # so the select shows what applies
    form = AuditFilterForm(data, xero_organisations=xero_organisation_choices(request))
    form.is_valid()
    queryset = apply_filters(scoped(request, AuditEntry), form.filters())
    return form, queryset


def _query(request, drop=(), **override) -> str:
    """The current filters as a query string, without `drop`, with `override` (empty values removed)."""
    params = request.GET.copy()
    for key in list(params):
        if key not in FILTER_PARAMS or key in drop or not params.get(key):
            del params[key]
    for key, value in override.items():
        params[key] = value
    return params.urlencode()


def _sort_links(request, current: str) -> dict:
    """Per column: the query string that sorts by it (toggling direction when already sorted by it)."""
    links = {}
    for key in ("created", "name", "module", "direction", "status"):
        if current == key:
            target = f"-{key}"
        elif current == f"-{key}":
            target = key
        else:
            target = "-created" if key == "created" else key
        links[key] = {
            "query": _query(request, drop=("sort",), sort=target),
            "state": "ascending" if current == key else "descending" if current == f"-{key}" else "none",
        }
    return links


@login_required
@require_GET
def index(request):
    form, queryset = _filtered(request)
    page = paginate(
        queryset,
        sort=form.sort_value,
        per_page=form.per_page_value,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        searching=bool(form.filters().get("q")),
    )
    can_manage = bool(request.membership and request.membership.can_manage)
    pending = resync.pending_entry_ids(entry.pk for entry in page.entries)
    failed_ids = [entry.pk for entry in page.entries if entry.status == Status.FAILED]
    fixed_by = resync.fixing_resyncs(failed_ids) if failed_ids else {}
    for entry in page.entries:
        entry.fixed_by_id = fixed_by.get(entry.pk)
        entry.resync_allowed = can_manage and resync.can_resync(entry) and entry.fixed_by_id is None
        entry.resync_pending = entry.pk in pending
    status_filter = form.filters().get("status", "")
    context = {
        "form": form,
        "page": page,
        "can_manage": can_manage,
        "resync_pending": bool(pending),
        "offer_resync_all": can_manage and status_filter in ("", "failed"),
        "current_url": request.get_full_path(),
        "sort": form.sort_value,
        "sort_links": _sort_links(request, form.sort_value),
        "filter_query": _query(request),
        "export_query": _query(request, drop=("per_page", "sort")),
        "per_page_choices": [value for value, _label in PER_PAGE_CHOICES],
    }
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")
    context["partial"] = partial
    # A date the page cannot apply answers 400 with its message beside the field (the valid filters still
    # apply); htmx swaps only 2xx answers, so the rows partial keeps 200.
    status = 400 if (DATE_PARAMS & set(form.errors) or page.cursor_refused) and not partial else 200
    if page.cursor_refused and not partial:
        messages.error(request, _("That page link is not valid; here is the first page."))
    response = render(request, "audit/_rows.html" if partial else "audit/index.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def export_csv(request):
    form, queryset = _filtered(request)
    if form.errors:
        return HttpResponseBadRequest(_refusal(form), content_type="text/plain; charset=utf-8")
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield from export.csv_lines(export.export_queryset(queryset.order_by("-created_at", "-id")))

    filename = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _refusal(form) -> str:
    """The filter errors as plain text: the CSV is not written with filters it cannot apply."""
    lines = [_("The export was not created: correct the filters.")]
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return "\n".join(lines) + "\n"


def _pretty(value) -> str:
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@login_required
@require_GET
def detail(request, pk):
    entry = tenant_object_or_404(request, AuditEntry.objects.select_related("resync_of"), pk=pk)
    context = {
        "entry": entry,
        "resync_allowed": bool(request.membership and request.membership.can_manage) and resync.can_resync(entry),
        "resync_request": latest_request(entry),
        "links": record_links(entry),
        "waits_for": _waits_for(request, entry),
        "values_written": _pretty(entry.values_written),
        "provider_response": _pretty(entry.provider_response),
        "resync_of": entry.resync_of if entry.resync_of and entry.resync_of.organisation_id == entry.organisation_id else None,
        "resyncs": scoped(request, AuditEntry).filter(resync_of=entry).order_by("-created_at")[:20],
    }
    return render(request, "audit/detail.html", context)


def _waits_for(request, entry):
    """The latest entry of the record this failure waits for (an invoice's product that failed), if any."""
    params = entry.message_params or {}
    if not (params.get("dependency_module") and params.get("dependency_id")):
        return None
    return (scoped(request, AuditEntry).filter(xero_tenant_id=entry.xero_tenant_id,
                                               module=str(params["dependency_module"]),
                                               zoho_id=str(params["dependency_id"]))
            .exclude(pk=entry.pk).order_by("-created_at").first())


@login_required
@require_GET
def dashboard(request):
    context = {"has_organisation": request.organisation is not None, "xero_filter": ""}
    if request.organisation is not None:
        entries = scoped(request, AuditEntry)
        choices = xero_organisation_choices(request)
        xero_filter = request.GET.get("xero", "")
        if xero_filter not in {tenant_id for tenant_id, _name in choices}:
            xero_filter = ""
        if xero_filter:
            entries = entries.filter(xero_tenant_id=xero_filter)
        context.update(xero_filter=xero_filter, xero_choices=choices)
        summary = health.cached_summary(request.organisation, entries, variant=xero_filter)
        days = summary["days"]
        context.update(
            modules=summary["modules"],
            runs=health.last_runs(entries),
            days=days,
            chart_max=max(max(day.successes, day.failures) for day in days),
            window_days=health.WINDOW_DAYS,
            chart_height=health.CHART_HEIGHT,
            chart_width=health.CHART_WIDTH,
            bar_width=health.BAR_WIDTH,
        )
    return render(request, "audit/dashboard.html", context)
