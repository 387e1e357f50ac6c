"""Taxes and the chart of accounts: Zoho org taxes, Xero tax rates and accounts (per Xero organisation), the tax
mapping between them, default sales accounts, and the resolver the sync engine hands to the transform."""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction

from connections.exceptions import PermanentError

from .models import (
    DefaultAccount,
    ItemlessLineProduct,
    TaxMapping,
    XeroAccount,
    XeroCurrency,
    XeroTaxRate,
    ZohoTax,
)
from .registry import ACCOUNT_CODE_MODULES
from .resolvers import itemless_account_of, line_product_of
from .services import tax_mode
from .validation import TaxContext

# Account classes/types a sales line may post to.
SALES_ACCOUNT_CLASSES = ("REVENUE",)


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def xero_rate_of(tax_rate: dict):
    """A Xero TaxRate's percentage: EffectiveRate, else DisplayTaxRate, else the sum of its components."""
    for key in ("EffectiveRate", "DisplayTaxRate"):
        if tax_rate.get(key) is not None:
            return _decimal(tax_rate[key])
    components = tax_rate.get("TaxComponents") or []
    if components:
        return sum((_decimal(c.get("Rate")) or Decimal(0) for c in components), Decimal(0))
    return None


# --- refreshing --------------------------------------------------------------------------------------------


def refresh_zoho_taxes(organisation, client) -> int:
    """Zoho org taxes (GET /org/taxes: name, percentage or value, id) into the cache; gone taxes are removed.

    The call is made first, outside the transaction: no row is held locked while Zoho answers."""
    taxes = client.get_taxes()
    with transaction.atomic():
        return _save_zoho_taxes(organisation, taxes)


def _save_zoho_taxes(organisation, taxes) -> int:
    names = []
    for tax in taxes:
        name = tax.get("name") or tax.get("display_label")
        if not name:
            continue
        names.append(name)
        percentage = tax.get("percentage", tax.get("value"))
        ZohoTax.objects.update_or_create(
            organisation=organisation,
            name=name,
            defaults={"zoho_id": str(tax.get("id") or ""), "percentage": _decimal(percentage)},
        )
    ZohoTax.objects.filter(organisation=organisation).exclude(name__in=names).delete()
    return len(names)


def refresh_xero_reference(xero_organisation, client) -> tuple[int, int]:
    """The Xero organisation's tax rates, chart of accounts and currencies (read-only copies). Returns the
    first two counts. Every call is made first, outside the transaction: no row is held locked while Xero
    answers, and a failed call leaves the previous copy whole."""
    tax_rates, accounts = list(client.get_tax_rates()), list(client.get_accounts())
    currencies = _read_currencies(client)
    with transaction.atomic():
        counts = _save_xero_reference(xero_organisation, tax_rates, accounts)
        _save_currencies(xero_organisation, currencies)
    return counts


def _save_xero_reference(xero_organisation, tax_rates, accounts) -> tuple[int, int]:
    organisation = xero_organisation.organisation
    tax_types = []
    for tax_rate in tax_rates:
        tax_type = tax_rate.get("TaxType")
        if not tax_type:
            continue
        tax_types.append(tax_type)
        XeroTaxRate.objects.update_or_create(
            organisation=organisation,
            xero_organisation=xero_organisation,
            tax_type=tax_type,
            defaults={
                "name": tax_rate.get("Name") or tax_type,
                "rate": xero_rate_of(tax_rate),
                "status": tax_rate.get("Status") or "ACTIVE",
                "can_apply_to_revenue": tax_rate.get("CanApplyToRevenue", True) is not False,
            },
        )
    XeroTaxRate.objects.filter(xero_organisation=xero_organisation).exclude(tax_type__in=tax_types).delete()
    account_ids = []
    for account in accounts:
        account_id = account.get("AccountID")
        if not account_id:
            continue
        account_ids.append(account_id)
        XeroAccount.objects.update_or_create(
            organisation=organisation,
            xero_organisation=xero_organisation,
            account_id=account_id,
            defaults={
                "code": account.get("Code") or "",
                "name": (account.get("Name") or "")[:150],
                "type": account.get("Type") or "",
                "account_class": account.get("Class") or "",
                "status": account.get("Status") or "ACTIVE",
                "tax_type": account.get("TaxType") or "",
            },
        )
    XeroAccount.objects.filter(xero_organisation=xero_organisation).exclude(
        account_id__in=account_ids
    ).delete()
    return len(tax_types), len(account_ids)


def _read_currencies(client) -> dict:
    """The base currency (GET /Organisation) and, if the client offers get_currencies (GET /Currencies), the
    enabled ones: {code: source}."""
    codes = {}
    if hasattr(client, "get_organisation"):
        base = (client.get_organisation() or {}).get("BaseCurrency")
        if base:
            codes[base] = XeroCurrency.BASE
    if hasattr(client, "get_currencies"):
        try:
            listed = [c["Code"] for c in client.get_currencies() or [] if c.get("Code")]
        except PermanentError:  # an API that refuses GET /Currencies: keep the base currency (a warning only)
            listed = []
        # Read from GET /Currencies (the base included): the list is complete, so other currencies are refused.
        for code in listed:
            codes[code] = XeroCurrency.ENABLED
    return codes


def _save_currencies(xero_organisation, codes: dict) -> None:
    if not codes:
        return
    for code, source in codes.items():
        XeroCurrency.objects.update_or_create(
            organisation=xero_organisation.organisation,
            xero_organisation=xero_organisation,
            code=code,
            defaults={"source": source},
        )
    XeroCurrency.objects.filter(xero_organisation=xero_organisation).exclude(code__in=codes).delete()


# --- tax mapping -------------------------------------------------------------------------------------------


def sales_tax_rates(xero_organisation):
    return XeroTaxRate.objects.filter(
        xero_organisation=xero_organisation, status="ACTIVE", can_apply_to_revenue=True
    )


def suggest_tax_type(percentage, tax_rates, zoho_name: str = "") -> str | None:
    """The active sales tax rate with the same percentage (``tax_rates``: XeroTaxRate rows or dicts).

    Several rates often share a percentage, 0 % above all (Australia: "BAS Excluded", "GST Free Income", "No
    GST"; United Kingdom: "Zero Rated Income", "Exempt Income", "No VAT"), and they are not interchangeable: a
    BAS Excluded sale is missing from the BAS, an exempt one is not zero-rated. So among them, prefer the rate
    of the same name, then one whose name shares most words with it ("Zero Rated" -> "Zero Rated Income"), then a rate made
    for sales (its TaxType ends in OUTPUT, as Xero's income rates do: OUTPUT, EXEMPTOUTPUT, ZERORATEDOUTPUT),
    then the first one Xero lists."""
    wanted = _decimal(percentage)
    if wanted is None:
        return None
    words = _words(zoho_name)
    candidates = []
    for position, rate in enumerate(tax_rates):
        value = rate.rate if hasattr(rate, "rate") else _decimal(rate.get("rate"))
        if value is None or Decimal(value) != wanted:
            continue
        tax_type = rate.tax_type if hasattr(rate, "tax_type") else rate["tax_type"]
        name = rate.name if hasattr(rate, "name") else rate.get("name", "")
        same_name = str(name or "").casefold() == str(zoho_name or "").casefold()
        shared = len(words & _words(name))
        candidates.append((not same_name, -shared, not tax_type.upper().endswith("OUTPUT"), position, tax_type))
    return min(candidates)[-1] if candidates else None


def _words(name) -> set[str]:
    return {word for word in re.findall(r"[^\W\d_]+", str(name or "").casefold()) if len(word) > 2}


def tax_mappings(xero_organisation) -> dict:
    return dict(
        TaxMapping.objects.filter(xero_organisation=xero_organisation).values_list(
            "zoho_tax_name", "xero_tax_type"
        )
    )


@transaction.atomic
def save_tax_mappings(xero_organisation, choices: dict) -> None:
    """``{zoho_tax_name: tax_type or ""}``; an empty choice removes the mapping."""
    for name, tax_type in choices.items():
        if tax_type:
            TaxMapping.objects.update_or_create(
                organisation=xero_organisation.organisation,
                xero_organisation=xero_organisation,
                zoho_tax_name=name,
                defaults={"xero_tax_type": tax_type},
            )
        else:
            TaxMapping.objects.filter(xero_organisation=xero_organisation, zoho_tax_name=name).delete()


def tax_context(organisation, xero_organisation) -> TaxContext:
    """The tax facts validation needs, for one portal organisation and one Xero organisation."""
    rates = XeroTaxRate.objects.filter(xero_organisation=xero_organisation) if xero_organisation else []
    currencies = (
        list(XeroCurrency.objects.filter(xero_organisation=xero_organisation)) if xero_organisation else []
    )
    return TaxContext(
        mode=tax_mode(organisation),
        zoho_taxes=[
            {"name": t.name, "percentage": t.percentage}
            for t in ZohoTax.objects.filter(organisation=organisation)
        ],
        xero_rates={
            rate.tax_type: {
                "name": rate.name,
                "rate": rate.rate,
                "status": rate.status,
                "can_apply_to_revenue": rate.can_apply_to_revenue,
            }
            for rate in rates
        },
        mappings=tax_mappings(xero_organisation) if xero_organisation else {},
        xero_currencies=[c.code for c in currencies],
        currencies_complete=any(c.source == XeroCurrency.ENABLED for c in currencies),
    )


# --- default accounts --------------------------------------------------------------------------------------


def sales_accounts(xero_organisation):
    return XeroAccount.objects.filter(
        xero_organisation=xero_organisation, status="ACTIVE", account_class__in=SALES_ACCOUNT_CLASSES
    ).exclude(code="")


def default_accounts(xero_organisation) -> dict:
    return dict(
        DefaultAccount.objects.filter(xero_organisation=xero_organisation).values_list(
            "module", "account_code"
        )
    )


def line_products(xero_organisation) -> dict:
    """{account code or "" (the default): {"id", "name"}} of the Zoho products chosen for item-less lines."""
    return {
        row.account_code: {"id": row.zoho_product_id, "name": row.zoho_product_name}
        for row in ItemlessLineProduct.objects.filter(xero_organisation=xero_organisation)
    }


def _escape(text: str) -> str:
    for character in ("\\", "(", ")", ","):
        text = text.replace(character, "\\" + character)
    return text


def find_zoho_products(client, names) -> dict:
    """{name: [{"id", "name"}, ...]} of the Zoho products called exactly ``name`` (one search per name).
    ``client`` is a ZohoClient; provider errors propagate."""
    found = {}
    for name in dict.fromkeys(n for n in names if n):
        rows = client.search("Products", f"(Product_Name:equals:{_escape(name)})")
        found[name] = [{"id": str(row["id"]), "name": str(row.get("Product_Name") or name)} for row in rows
                       if str(row.get("Product_Name") or "").casefold() == name.casefold()]
    return found


@transaction.atomic
def save_line_products(xero_organisation, chosen: dict) -> None:
    """``chosen``: {account code or "": {"id", "name"} or None (no product: the row goes)}."""
    for code, product in chosen.items():
        if product:
            ItemlessLineProduct.objects.update_or_create(
                organisation=xero_organisation.organisation, xero_organisation=xero_organisation,
                account_code=code, defaults={"zoho_product_id": str(product["id"]),
                                             "zoho_product_name": product["name"]})
        else:
            ItemlessLineProduct.objects.filter(xero_organisation=xero_organisation, account_code=code).delete()


@transaction.atomic
def save_default_accounts(xero_organisation, choices: dict) -> None:
    for module, code in choices.items():
        if module not in ACCOUNT_CODE_MODULES:
            continue
        if code:
            DefaultAccount.objects.update_or_create(
                organisation=xero_organisation.organisation,
                xero_organisation=xero_organisation,
                module=module,
                defaults={"account_code": code},
            )
        else:
            DefaultAccount.objects.filter(xero_organisation=xero_organisation, module=module).delete()


# --- the resolver the sync engine passes to mapping.transform ----------------------------------------------


class OrganisationResolver:
    """mapping.transform.Resolver for one portal organisation and one Xero organisation.

    Settings (tax mapping, default accounts, tax mode) are read once. Record links come from the engine:
    ``to_xero_link(zoho_module, zoho_id)`` and ``to_zoho_link(zoho_module, xero_reference)``.
    """

    def __init__(self, organisation, xero_organisation, *, to_xero_link=None, to_zoho_link=None):
        self._to_xero_link = to_xero_link or (lambda module, zoho_id: None)
        self._to_zoho_link = to_zoho_link or (lambda module, reference: None)
        self._tax_mode = tax_mode(organisation)
        self._tax_types = tax_mappings(xero_organisation)
        self._zoho_taxes = {t.name: t for t in ZohoTax.objects.filter(organisation=organisation)}
        self._default_accounts = default_accounts(xero_organisation)
        self._line_products = line_products(xero_organisation)

    def to_xero(self, zoho_module, zoho_id):
        return self._to_xero_link(zoho_module, zoho_id)

    def to_zoho(self, zoho_module, xero_reference):
        return self._to_zoho_link(zoho_module, xero_reference)

    def xero_tax_type(self, zoho_tax_name, percentage):
        return self._tax_types.get(zoho_tax_name)

    def zoho_tax(self, xero_tax_type):
        name = next((zoho for zoho, xero in self._tax_types.items() if xero == xero_tax_type), None)
        if name is None:
            return None
        tax = self._zoho_taxes.get(name)
        percentage = float(tax.percentage) if tax and tax.percentage is not None else None
        return {"name": name, "percentage": percentage, "id": tax.zoho_id if tax else ""}

    def default_account_code(self, module):
        return self._default_accounts.get(module)

    def tax_mode(self):
        return self._tax_mode

    def line_product(self, account_code):
        return line_product_of(self._line_products, account_code)

    def itemless_account(self, zoho_product_id):
        return itemless_account_of(self._line_products, zoho_product_id)


def problems_before_sync(organisation, xero_organisation, module_key, direction, mapping=None):
    """What the sync engine checks before a run: validate_for_sync with the organisation's data loaded."""
    from .services import get_mapping, zoho_fields
    from .validation import validate_for_sync

    mapping = mapping if mapping is not None else get_mapping(organisation, module_key, direction)
    return validate_for_sync(
        module_key,
        direction,
        mapping,
        taxes=tax_context(organisation, xero_organisation),
        zoho_fields=zoho_fields(organisation, module_key),
    )
