"""Resync from the audit log: the Resync button of a failed entry and "Resync all failed" for the filtered set.
Owners and admins only (tenancy.access.require_manager); every object is loaded within the organisation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenancy.access import require_manager, tenant_object_or_404

from . import resync
from .forms import AuditFilterForm
from .listing import COUNT_CAP, bounded_count
from .models import AuditEntry, ResyncBatch, ResyncRequest


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# Filters that would hide the entry a resync writes (a success, by trigger "resync", on the first page).
HIDING_FILTERS = ("status", "trigger", "before", "after")


def _showing_the_new_entry(url: str) -> str:
    """The audit list at `url` without the filters that would hide the resync's new entry, so that "the new entry
    appears here" holds when the button was pressed on a list filtered to failures."""
    path, _sep, query = url.partition("?")
    if path != reverse("audit:index") or not query:
        return url
    params = QueryDict(query, mutable=True)
    for name in HIDING_FILTERS:
        params.pop(name, None)
    return f"{path}?{params.urlencode()}" if params else path


@login_required
@require_POST
def resync_entry(request, pk):
    """Queue a resync of one failed entry, then go back to where the button was."""
    require_manager(request)
    entry = tenant_object_or_404(request, AuditEntry, pk=pk)
    back = _showing_the_new_entry(_next_url(request, reverse("audit:detail", args=[entry.pk])))
    name = entry.record_name or _("(no name)")
    if not resync.can_resync(entry):
        messages.error(request, _("Only a failed sync of an account, product or invoice can be resynced."))
        return redirect(back)
    _request, created = resync.request_resync(entry, request.user)
    if created:
        messages.success(
            request, _("Resync of %(name)s queued. The new entry appears here when it is done.") % {"name": name}
        )
    else:
        messages.info(request, _("A resync of %(name)s is already queued.") % {"name": name})
    return redirect(back)


def latest_request(entry):
    return ResyncRequest.objects.filter(entry=entry).select_related("result").order_by("-created_at").first()


@login_required
@require_GET
def resync_status(request, pk):
    """The detail page's resync status (polled by htmx while a resync is queued or running)."""
    entry = tenant_object_or_404(request, AuditEntry, pk=pk)
    allowed = bool(request.membership and request.membership.can_manage) and resync.can_resync(entry)
    context = {"entry": entry, "resync_request": latest_request(entry), "resync_allowed": allowed}
    return render(request, "audit/_resync_status.html", context)


def _filter_form(params):
    form = AuditFilterForm(resync.batch_filters(params))
    form.is_valid()
    return form


@login_required
@require_http_methods(["GET", "POST"])
def resync_all(request):
    """GET: confirm "Resync all failed" for the filters in the URL. POST: start it."""
    require_manager(request)
    params = request.POST if request.method == "POST" else request.GET
    form = _filter_form(params)
    if request.method == "POST" and not form.errors:
        batch = resync.start_batch(request.organisation, resync.batch_filters(params), request.user)
        return redirect("audit:resync_batch", pk=batch.pk)
    filters = resync.batch_filters(params)
    matching = bounded_count(resync.batch_queryset(request.organisation, filters), COUNT_CAP)
    applied = [(form[name].label, _display(form, name)) for name in form.filters()]
    context = {
        "filters": filters,
        "applied": applied,
        "matching": matching,
        "count_cap": COUNT_CAP,
        "limit": resync.batch_limit(),
        "back_query": _query(filters),
        "form": form,
    }
    # Filters it cannot apply: nothing is started, the page says what to correct.
    return render(request, "audit/resync_all.html", context, status=400 if form.errors else 200)


def _display(form, name) -> str:
    value = form.cleaned_data.get(name)
    field = form.fields[name]
    for choice_value, label in getattr(field, "choices", []):
        if str(choice_value) == str(value) and choice_value != "":
            return str(label)
    return str(value)


@login_required
@require_GET
def resync_batch(request, pk):
    """How far a "Resync all failed" has come (polled by htmx until every queued resync is done)."""
    batch = tenant_object_or_404(request, ResyncBatch, pk=pk)
    progress = resync.batch_progress(batch)
    finished = batch.finished_at is not None and not progress["pending"]
    context = {
        "batch": batch,
        "progress": progress,
        "finished": finished,
        "walking": batch.finished_at is None,
        "limit": resync.batch_limit(),
        "audit_query": _query(batch.filters),
    }
    template = "audit/_resync_batch_status.html" if request.headers.get("HX-Request") == "true" else "audit/resync_batch.html"
    return render(request, template, context)


def _query(filters: dict) -> str:
    query = QueryDict(mutable=True)
    query.update(filters)
    return query.urlencode()
