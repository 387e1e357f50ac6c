"""The sandbox UI for Zoho CRM: list, create, edit and delete records (through the record service,
so notifications fire as they would for edits in Zoho's own web UI)."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import notify, records
from .forms import initial_of, record_form_class
from .models import Activity, Channel, Org, Tax
from .render import Renderer
from .schema import MODULES, canonical_module, fields_of

LIST_COLUMNS = {
    "Accounts": ["Account_Name", "Phone", "Billing_City", "Billing_Country", "Xero_Contact_ID", "Modified_Time"],
    "Contacts": ["Full_Name", "Email", "Phone", "Account_Name", "Modified_Time"],
    "Products": ["Product_Name", "Product_Code", "Unit_Price", "Tax", "Product_Active", "Modified_Time"],
    "Invoices": ["Subject", "Invoice_Number", "Status", "Account_Name", "Grand_Total", "Modified_Time"],
}


def _org():
    org = Org.objects.order_by("pk").first()
    if org is None:
        raise Http404(_("No Zoho org yet: run `manage.py sandbox seed`."))
    return org


def _module(name):
    module = canonical_module(name)
    if module is None:
        raise Http404(_("Unknown module."))
    return module


def _actor(org):
    return org.users.order_by("zid").first()


def index(request):
    org = Org.objects.order_by("pk").first()
    context = {"org": org, "modules": [], "deliveries": notify.recent_deliveries()[:20]}
    if org is not None:
        context["modules"] = [(module, records.live(org, module).count()) for module in MODULES]
        context["users"] = org.users.order_by("zid")
        context["taxes"] = Tax.objects.filter(org=org)
        context["channels"] = Channel.objects.filter(org=org).order_by("channel_id")
        context["activities"] = Activity.objects.filter(org=org)[:20]
    return render(request, "sandbox_zoho/index.html", context)


def record_list(request, module):
    module, org = _module(module), _org()
    queryset = records.live(org, module).order_by("-modified_time", "-zid")
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(name__icontains=query)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    renderer = Renderer(org, _actor(org).time_zone)
    columns = LIST_COLUMNS[module]
    rows = []
    for record, data in zip(page.object_list, renderer.many(page.object_list, columns + ["id"]), strict=True):
        cells = []
        for column in columns:
            value = data.get(column)
            if isinstance(value, dict):
                value = value.get("name")
            elif isinstance(value, list):
                value = ", ".join(item.get("value", "") for item in value)
            cells.append("" if value is None else value)
        rows.append({"id": record.zid, "cells": cells})
    labels = {field.api_name: field.label for field in fields_of(module)}
    return render(request, "sandbox_zoho/list.html", {
        "module": module, "page": page, "rows": rows, "query": query,
        "columns": [labels.get(column, column) for column in columns]})


def _errors_to_form(form, results):
    result = results[0]
    if result["status"] == "success":
        return True
    details = result.get("details", {})
    name = str(details.get("api_name", "")).split(".")[0]
    message = _("%(code)s: %(message)s (%(path)s)") % {
        "code": result["code"], "message": result["message"], "path": details.get("json_path", "")}
    form.add_error(name if name in form.fields else None, message)
    return False


@require_http_methods(["GET", "POST"])
def record_create(request, module):
    module, org = _module(module), _org()
    form_class = record_form_class(org, module)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        results = records.write(org, _actor(org), module, [form.payload()], mode="insert", source="ui")
        if _errors_to_form(form, results):
            return HttpResponseRedirect(reverse("sandbox_zoho:ui_edit", args=[module, results[0]["details"]["id"]]))
    return render(request, "sandbox_zoho/form.html", {"module": module, "form": form, "record": None})


@require_http_methods(["GET", "POST"])
def record_edit(request, module, record_id):
    module, org = _module(module), _org()
    record = records.live(org, module).filter(zid=record_id).first()
    if record is None:
        raise Http404(_("No such record."))
    renderer = Renderer(org, _actor(org).time_zone)
    form_class = record_form_class(org, module)
    renderer.preload([record])
    form = form_class(request.POST or None, initial=initial_of(record, renderer))
    saved = request.GET.get("saved") == "1"
    if request.method == "POST" and form.is_valid():
        payload = {"id": str(record.zid), **form.payload()}
        results = records.write(org, _actor(org), module, [payload], mode="update", source="ui")
        if _errors_to_form(form, results):
            return HttpResponseRedirect(reverse("sandbox_zoho:ui_edit", args=[module, record.zid]) + "?saved=1")
    return render(request, "sandbox_zoho/form.html", {
        "module": module, "form": form, "record": record, "saved": saved,
        "rendered": renderer.record(record)})


@require_http_methods(["POST"])
def record_delete(request, module, record_id):
    module, org = _module(module), _org()
    records.delete(org, _actor(org), module, [str(record_id)], source="ui")
    return HttpResponseRedirect(reverse("sandbox_zoho:ui_list", args=[module]))
