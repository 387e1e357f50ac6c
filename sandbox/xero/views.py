"""The Accounting API 2.0 endpoints (views stay thin: rules live in contacts/items/invoices/payments)."""

import uuid

from django.db import transaction
from django.db.models import Q
from django.views.decorators.http import require_http_methods

from . import contacts, formats, invoices, items, payments, reference, webhooks
from .guard import xero_api
from .models import Account, Contact, Invoice, Item, Payment, TaxRate
from .records import ListQuery, flag, handles_bad_data, idempotent, read_elements, write_batch


def _unitdp(request) -> int:
    return 4 if request.GET.get("unitdp") == "4" else 2


def _as_uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _write(request, collection, entity, rules, *, error_flag, target=None, mode=None, echo_defaults=None, **extra):
    elements = read_elements(request, collection)
    organisation = request.xero_org
    mode = mode or ("put" if request.method == "PUT" else "post")
    if target is not None and len(elements) > 1:
        elements = elements[:1]
    emitted = []

    def one(element):
        events = []
        result = rules.apply(organisation, element, mode=mode, events=events, target=target, **extra)
        emitted.extend(events)
        return result

    response = write_batch(request, collection, entity, elements, one, error_flag=error_flag,
                           echo_defaults=echo_defaults)
    webhooks.emit(request, organisation.pk, [e for e in emitted if e[0] in webhooks.RESOURCE])
    return response


# Contacts ---------------------------------------------------------------------------------------------------

@xero_api("contacts")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "PUT", "POST"])
def contacts_collection(request):
    organisation = request.xero_org
    if request.method != "GET":
        return _write(request, "Contacts", "Contact", contacts, error_flag="HasValidationErrors")
    queryset = Contact.objects.filter(organisation=organisation)
    # Archived contacts are left out of lists unless includeArchived=true (the spec's parameter). A read by IDs
    # returns the contacts asked for whatever their status: Xero documents no such filter on IDs, and leaving
    # them out would be stricter than its documents without saying so.
    if not flag(request, "includeArchived", False) and not request.GET.get("IDs"):
        queryset = queryset.exclude(status="ARCHIVED")
    term = request.GET.get("searchTerm", "").strip()
    if term:
        queryset = [c for c in queryset if term.lower() in " ".join(
            str(v) for v in (c.name, c.contact_number, c.data.get("FirstName"), c.data.get("LastName"),
                             c.data.get("EmailAddress")) if v).lower()]
        queryset = Contact.objects.filter(pk__in=[c.pk for c in queryset])
    customers = contacts.customers_of(organisation)
    summary = flag(request, "summaryOnly", False)
    return ListQuery(contacts.FIELDS).respond(
        request, "Contacts", queryset.order_by("name", "id"),
        lambda c: contacts.serialize(c, customers=customers, summary=summary))


@xero_api("contacts")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "POST"])
def contact_detail(request, ident):
    organisation = request.xero_org
    found = _as_uuid(ident)
    query = Q(pk=found) if found else Q(contact_number=ident)
    contact = Contact.objects.filter(query, organisation=organisation).first()
    if contact is None:
        return formats.not_found()
    if request.method == "POST":
        return _write(request, "Contacts", "Contact", contacts, error_flag="HasValidationErrors", target=contact)
    return formats.json_response(formats.envelope(
        "Contacts", [contacts.serialize(contact, customers=contacts.customers_of(organisation))]))


# Items ------------------------------------------------------------------------------------------------------

@xero_api("items")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "PUT", "POST"])
def items_collection(request):
    if request.method != "GET":
        return _write(request, "Items", "Item", items, error_flag=None, unitdp=_unitdp(request),
                      echo_defaults={"Code": ""})
    unitdp = _unitdp(request)
    return ListQuery(items.FIELDS, paged=False).respond(
        request, "Items", Item.objects.filter(organisation=request.xero_org).order_by("code"),
        lambda i: items.serialize(i, unitdp=unitdp))


@xero_api("items")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "POST", "DELETE"])
def item_detail(request, ident):
    organisation = request.xero_org
    found = _as_uuid(ident)
    item = Item.objects.filter(Q(pk=found) if found else Q(code__iexact=ident), organisation=organisation).first()
    if item is None:
        return formats.not_found()
    if request.method == "DELETE":
        item.delete()
        return formats.no_content()
    if request.method == "POST":
        return _write(request, "Items", "Item", items, error_flag=None, target=item, unitdp=_unitdp(request),
                      echo_defaults={"Code": ""})
    return formats.json_response(formats.envelope("Items", [items.serialize(item, unitdp=_unitdp(request))]))


# Reference data ---------------------------------------------------------------------------------------------

@xero_api("settings")
@require_http_methods(["GET"])
def accounts_collection(request):
    return ListQuery(reference.ACCOUNT_FIELDS, paged=False).respond(
        request, "Accounts", Account.objects.filter(organisation=request.xero_org).order_by("code"),
        reference.serialize_account)


@xero_api("settings")
@require_http_methods(["GET"])
def account_detail(request, account_id):
    account = Account.objects.filter(organisation=request.xero_org, pk=account_id).first()
    if account is None:
        return formats.not_found()
    return formats.json_response(formats.envelope("Accounts", [reference.serialize_account(account)]))


@xero_api("settings")
@require_http_methods(["GET"])
def tax_rates(request):
    return ListQuery(reference.TAX_FIELDS, paged=False, modified_since=False).respond(
        request, "TaxRates", TaxRate.objects.filter(organisation=request.xero_org).order_by("id"),
        reference.serialize_tax_rate)


@xero_api("settings")
@require_http_methods(["GET"])
def currencies(request):
    """GET /Currencies: the organisation's enabled currencies (no paging; where and order as elsewhere)."""
    codes = reference.enabled_currencies(request.xero_org)
    return ListQuery(reference.CURRENCY_FIELDS, paged=False, modified_since=False).respond(
        request, "Currencies", CurrencyList(codes), reference.serialize_currency)


class CurrencyList(list):
    """A plain list standing in for a queryset in ListQuery (currencies have no ids to filter on)."""

    def filter(self, **_lookups):
        return CurrencyList()


@xero_api("settings")
@require_http_methods(["GET"])
def tax_rate_detail(request, tax_type):
    rate = TaxRate.objects.filter(organisation=request.xero_org, tax_type=tax_type).first()
    if rate is None:
        return formats.not_found()
    return formats.json_response(formats.envelope("TaxRates", [reference.serialize_tax_rate(rate)]))


@xero_api("settings")
@require_http_methods(["GET"])
def organisation(request):
    return formats.json_response(formats.envelope("Organisations",
                                                  [reference.serialize_organisation(request.xero_org)]))


# Invoices ---------------------------------------------------------------------------------------------------

def _csv(request, name):
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


@xero_api("invoices")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "PUT", "POST"])
def invoices_collection(request):
    organisation = request.xero_org
    unitdp = _unitdp(request)
    if request.method != "GET":
        return _write(request, "Invoices", "Invoice", invoices, error_flag="HasErrors", unitdp=unitdp,
                      created_by=request.xero_grant.client_id)
    queryset = Invoice.objects.filter(organisation=organisation).select_related("contact").prefetch_related(
        "payments")
    statuses = [s.upper() for s in _csv(request, "Statuses")]
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    elif not flag(request, "includeArchived", False) and not request.GET.get("IDs"):
        queryset = queryset.exclude(status="DELETED")
    numbers = _csv(request, "InvoiceNumbers")
    if numbers:
        queryset = queryset.filter(number__in=numbers)
    contact_ids = [c for c in (_as_uuid(v) for v in _csv(request, "ContactIDs")) if c]
    if _csv(request, "ContactIDs"):
        queryset = queryset.filter(contact_id__in=contact_ids)
    if flag(request, "createdByMyApp", False):  # only invoices this app (client id) created through the API
        queryset = queryset.filter(created_by_app=request.xero_grant.client_id)
    term = request.GET.get("searchTerm", "").strip()
    if term:  # the spec: case-insensitive text search across fields such as InvoiceNumber and Reference
        queryset = queryset.filter(Q(number__icontains=term) | Q(data__Reference__icontains=term))
    summary = flag(request, "summaryOnly", False)
    return ListQuery(invoices.FIELDS).respond(
        request, "Invoices", queryset.order_by("updated_at", "id"),
        lambda i: invoices.serialize(i, unitdp=unitdp, summary=summary))


@xero_api("invoices")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "POST"])
def invoice_detail(request, ident):
    organisation = request.xero_org
    found = _as_uuid(ident)
    invoice = Invoice.objects.filter(Q(pk=found) if found else Q(number=ident),
                                     organisation=organisation).select_related("contact").first()
    if invoice is None:
        return formats.not_found()
    unitdp = _unitdp(request)
    if request.method == "POST":
        return _write(request, "Invoices", "Invoice", invoices, error_flag="HasErrors", target=invoice,
                      unitdp=unitdp)
    return formats.json_response(formats.envelope("Invoices", [invoices.serialize(invoice, unitdp=unitdp)]))


def unknown_endpoint(request, *args, **kwargs):
    """An API path the emulator does not know: Xero's 404 (plain text), not Django's HTML page."""
    return formats.not_found()


# Payments ---------------------------------------------------------------------------------------------------

@xero_api("payments")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "PUT", "POST"])
def payments_collection(request):
    organisation = request.xero_org
    if request.method == "PUT":
        return _write(request, "Payments", "Payment", payments, error_flag="HasValidationErrors")
    if request.method == "POST":  # a single Payment object
        return _write(request, "Payments", "Payment", payments, error_flag="HasValidationErrors", mode="post")
    queryset = Payment.objects.filter(organisation=organisation).select_related("invoice", "invoice__contact")
    return ListQuery(payments.FIELDS).respond(request, "Payments", queryset.order_by("updated_at", "id"),
                                              payments.serialize)


@xero_api("payments")
@handles_bad_data
@idempotent
@require_http_methods(["GET", "POST"])
def payment_detail(request, payment_id):
    organisation = request.xero_org
    payment = Payment.objects.filter(organisation=organisation, pk=payment_id).select_related(
        "invoice", "invoice__contact").first()
    if payment is None:
        return formats.not_found()
    if request.method == "GET":
        return formats.json_response(formats.envelope("Payments", [payments.serialize(payment)]))
    elements = read_elements(request, "Payments")
    if len(elements) != 1 or elements[0].get("Status") != "DELETED":
        return formats.validation_exception([{**(elements[0] if elements else {}), "ValidationErrors": [
            {"Message": "Payments can only be deleted: send {\"Payments\": [{\"Status\": \"DELETED\"}]}."}]}])
    if payment.status == "DELETED":
        return formats.validation_exception([{"PaymentID": str(payment.pk), "ValidationErrors": [
            {"Message": "This payment has already been deleted."}]}])
    events = []
    with transaction.atomic(using="sandbox"):
        result = payments.delete(payment, events)
    webhooks.emit(request, organisation.pk, events)
    return formats.json_response(formats.envelope("Payments", [result]))
