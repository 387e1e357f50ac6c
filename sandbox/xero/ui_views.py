"""Web UI of the Xero emulator: list, create, edit and archive/delete/void records, so a person can watch
sync happen. Writes go through the same rules as the API (and send the same webhooks)."""

from decimal import Decimal

from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import contacts as contact_rules
from . import invoices as invoice_rules
from . import items as item_rules
from . import payments as payment_rules
from . import webhooks
from .formats import PostDataInvalid
from .models import Account, Contact, Invoice, Item, Organisation, TaxRate
from .records import Invalid

LINES_ON_FORM = 4


def _org(org_id):
    organisation = Organisation.objects.filter(pk=org_id).first()
    if organisation is None:
        raise Http404
    return organisation


def _save(request, organisation, rules, element, **options):
    """Apply through the API rules; returns (result, errors)."""
    events = []
    try:
        with transaction.atomic(using="sandbox"):
            result = rules.apply(organisation, element, events=events, **options)
    except Invalid as error:
        return None, error.messages
    except PostDataInvalid as error:
        return None, [str(error)]
    webhooks.emit(request, organisation.pk, [e for e in events if e[0] in webhooks.RESOURCE])
    return result, []


def index(request):
    organisations = Organisation.objects.all()
    rows = [{"org": org, "contacts": Contact.objects.filter(organisation=org).count(),
             "items": Item.objects.filter(organisation=org).count(),
             "invoices": Invoice.objects.filter(organisation=org).count()} for org in organisations]
    return render(request, "sandbox/xero/ui_index.html", {"rows": rows})


# Contacts -----------------------------------------------------------------------------------------------------

def contact_list(request, org_id):
    organisation = _org(org_id)
    rows = Contact.objects.filter(organisation=organisation).order_by("status", "name")
    return render(request, "sandbox/xero/ui_contacts.html", {"org": organisation, "contacts": rows})


@require_http_methods(["GET", "POST"])
def contact_form(request, org_id, contact_id=None):
    organisation = _org(org_id)
    contact = None
    if contact_id is not None:
        contact = Contact.objects.filter(organisation=organisation, pk=contact_id).first()
        if contact is None:
            raise Http404
    errors = []
    values = {"Name": contact.name if contact else "", "ContactNumber": contact.contact_number if contact else ""}
    if contact:
        for key in ("FirstName", "LastName", "EmailAddress"):
            values[key] = contact.data.get(key) or ""
        phone = (contact.data.get("Phones") or [{}])[0]
        values["Phone"] = phone.get("PhoneNumber", "")
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in
                  ("Name", "ContactNumber", "FirstName", "LastName", "EmailAddress", "Phone")}
        element = {key: values[key] for key in ("Name", "ContactNumber", "FirstName", "LastName", "EmailAddress")}
        element["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": values["Phone"]}] if values["Phone"] else []
        result, errors = _save(request, organisation, contact_rules, element, mode="post" if contact else "put",
                               target=contact)
        if not errors:
            return HttpResponseRedirect(reverse("sandbox_xero:ui_contacts", args=[organisation.pk]))
    return render(request, "sandbox/xero/ui_contact_form.html",
                  {"org": organisation, "contact": contact, "values": values, "errors": errors})


@require_POST
def contact_archive(request, org_id, contact_id):
    organisation = _org(org_id)
    contact = Contact.objects.filter(organisation=organisation, pk=contact_id).first()
    if contact is None:
        raise Http404
    status = "ACTIVE" if contact.status == "ARCHIVED" else "ARCHIVED"
    _result, errors = _save(request, organisation, contact_rules, {"ContactStatus": status}, mode="post",
                            target=contact)
    if errors:
        rows = Contact.objects.filter(organisation=organisation).order_by("status", "name")
        return render(request, "sandbox/xero/ui_contacts.html",
                      {"org": organisation, "contacts": rows, "errors": errors}, status=400)
    return HttpResponseRedirect(reverse("sandbox_xero:ui_contacts", args=[organisation.pk]))


# Items --------------------------------------------------------------------------------------------------------

def _choices(organisation):
    accounts = Account.objects.filter(organisation=organisation, status="ACTIVE").order_by("code")
    return {"accounts": [a for a in accounts if a.data.get("Type") != "BANK"],
            "tax_rates": TaxRate.objects.filter(organisation=organisation, status="ACTIVE").order_by("id")}


def item_list(request, org_id):
    organisation = _org(org_id)
    return render(request, "sandbox/xero/ui_items.html",
                  {"org": organisation, "items": Item.objects.filter(organisation=organisation).order_by("code")})


@require_http_methods(["GET", "POST"])
def item_form(request, org_id, item_id=None):
    organisation = _org(org_id)
    item = None
    if item_id is not None:
        item = Item.objects.filter(organisation=organisation, pk=item_id).first()
        if item is None:
            raise Http404
    errors = []
    sales = (item.data.get("SalesDetails") or {}) if item else {}
    values = {"Code": item.code if item else "", "Name": item.data.get("Name", "") if item else "",
              "Description": (item.data.get("Description") or "") if item else "",
              "UnitPrice": sales.get("UnitPrice", ""), "AccountCode": sales.get("AccountCode", "200"),
              "TaxType": sales.get("TaxType", "")}
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        element = {"Code": values["Code"], "Name": values["Name"], "Description": values["Description"],
                   "SalesDetails": {"UnitPrice": values["UnitPrice"] or None, "AccountCode": values["AccountCode"],
                                    "TaxType": values["TaxType"]}}
        _result, errors = _save(request, organisation, item_rules, element, mode="post" if item else "put",
                                target=item)
        if not errors:
            return HttpResponseRedirect(reverse("sandbox_xero:ui_items", args=[organisation.pk]))
    return render(request, "sandbox/xero/ui_item_form.html",
                  {"org": organisation, "item": item, "values": values, "errors": errors, **_choices(organisation)})


@require_POST
def item_delete(request, org_id, item_id):
    organisation = _org(org_id)
    Item.objects.filter(organisation=organisation, pk=item_id).delete()
    return HttpResponseRedirect(reverse("sandbox_xero:ui_items", args=[organisation.pk]))


# Invoices -----------------------------------------------------------------------------------------------------

def invoice_list(request, org_id):
    organisation = _org(org_id)
    rows = Invoice.objects.filter(organisation=organisation).select_related("contact").prefetch_related(
        "payments").order_by("-updated_at")
    return render(request, "sandbox/xero/ui_invoices.html", {
        "org": organisation,
        "invoices": [{"invoice": i, "total": i.data.get("Total"),
                      "due": Decimal(i.data.get("Total", "0")) - invoice_rules.amount_paid(i)} for i in rows]})


def _invoice_values(invoice):
    if invoice is None:
        return {"ContactID": "", "Date": "", "DueDate": "", "Reference": "", "LineAmountTypes": "Exclusive",
                "Status": "DRAFT", "InvoiceNumber": "", "lines": [{} for _ in range(LINES_ON_FORM)]}
    lines = [{key: line.get(key) or "" for key in ("LineItemID", "Description", "Quantity", "UnitAmount",
                                                    "AccountCode", "TaxType", "ItemCode")}
             for line in invoice.data.get("LineItems", [])]
    lines += [{} for _ in range(max(1, LINES_ON_FORM - len(lines)))]
    return {"ContactID": str(invoice.contact_id), "Date": invoice.data.get("Date") or "",
            "DueDate": invoice.data.get("DueDate") or "", "Reference": invoice.data.get("Reference", ""),
            "LineAmountTypes": invoice.data.get("LineAmountTypes", "Exclusive"), "Status": invoice.status,
            "InvoiceNumber": invoice.number, "lines": lines}


def _posted_lines(post):
    lines = []
    for index in range(int(post.get("line_count", LINES_ON_FORM))):
        line = {key: post.get(f"line-{index}-{key}", "").strip() for key in
                ("LineItemID", "Description", "Quantity", "UnitAmount", "AccountCode", "TaxType", "ItemCode")}
        if any(line[key] for key in ("Description", "UnitAmount", "ItemCode")):
            lines.append({key: value for key, value in line.items() if value})
    return lines


@require_http_methods(["GET", "POST"])
def invoice_form(request, org_id, invoice_id=None):
    organisation = _org(org_id)
    invoice = None
    if invoice_id is not None:
        invoice = Invoice.objects.filter(organisation=organisation, pk=invoice_id).first()
        if invoice is None:
            raise Http404
    errors = []
    values = _invoice_values(invoice)
    if request.method == "POST":
        lines = _posted_lines(request.POST)
        element = {"Type": "ACCREC", "Contact": {"ContactID": request.POST.get("ContactID", "")},
                   "Date": request.POST.get("Date") or None, "DueDate": request.POST.get("DueDate") or None,
                   "Reference": request.POST.get("Reference", ""),
                   "LineAmountTypes": request.POST.get("LineAmountTypes", "Exclusive"),
                   "Status": request.POST.get("Status", "DRAFT"), "LineItems": lines}
        if request.POST.get("InvoiceNumber", "").strip():
            element["InvoiceNumber"] = request.POST["InvoiceNumber"].strip()
        _result, errors = _save(request, organisation, invoice_rules, element, mode="post" if invoice else "put",
                                target=invoice)
        if not errors:
            return HttpResponseRedirect(reverse("sandbox_xero:ui_invoices", args=[organisation.pk]))
        values = {**{key: request.POST.get(key, "") for key in values if key != "lines"},
                  "lines": lines + [{} for _ in range(max(1, LINES_ON_FORM - len(lines)))]}
    return render(request, "sandbox/xero/ui_invoice_form.html", {
        "org": organisation, "invoice": invoice, "values": values, "errors": errors,
        "contacts": Contact.objects.filter(organisation=organisation, status="ACTIVE").order_by("name"),
        "items": Item.objects.filter(organisation=organisation).order_by("code"),
        "statuses": ["DRAFT", "SUBMITTED", "AUTHORISED"], "amount_types": ["Exclusive", "Inclusive", "NoTax"],
        **_choices(organisation)})


def _back_to_invoices(request, organisation, errors):
    if not errors:
        return HttpResponseRedirect(reverse("sandbox_xero:ui_invoices", args=[organisation.pk]))
    return render(request, "sandbox/xero/ui_invoices.html", {
        "org": organisation, "errors": errors,
        "invoices": [{"invoice": i, "total": i.data.get("Total"),
                      "due": Decimal(i.data.get("Total", "0")) - invoice_rules.amount_paid(i)}
                     for i in Invoice.objects.filter(organisation=organisation).order_by("-updated_at")]},
        status=400)


@require_POST
def invoice_status(request, org_id, invoice_id):
    organisation = _org(org_id)
    invoice = Invoice.objects.filter(organisation=organisation, pk=invoice_id).first()
    if invoice is None:
        raise Http404
    _result, errors = _save(request, organisation, invoice_rules, {"Status": request.POST.get("Status", "")},
                            mode="post", target=invoice)
    return _back_to_invoices(request, organisation, errors)


@require_POST
def invoice_pay(request, org_id, invoice_id):
    organisation = _org(org_id)
    invoice = Invoice.objects.filter(organisation=organisation, pk=invoice_id).first()
    if invoice is None:
        raise Http404
    due = Decimal(invoice.data.get("Total", "0")) - invoice_rules.amount_paid(invoice)
    element = {"Invoice": {"InvoiceID": str(invoice.pk)}, "Account": {"Code": "090"}, "Amount": str(due)}
    _result, errors = _save(request, organisation, payment_rules, element)
    return _back_to_invoices(request, organisation, errors)
