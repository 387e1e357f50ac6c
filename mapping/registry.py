"""The modules the portal syncs, and which Zoho module meets which Xero record type.

- Zoho Accounts <-> Xero Contacts.
- Zoho Contacts <-> contact persons of the account's Xero contact; a Zoho contact without an account becomes a
  Xero contact of its own (so its mapping targets the contact fields too).
- Zoho Products <-> Xero Items.
- Zoho Invoices (line items in the ``Invoiced_Items`` subform) <-> Xero sales invoices (ACCREC) with LineItems.
- Xero Accounts: the chart of accounts, imported read-only; it supplies account codes (not mapped field by field).
"""

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .catalogue import XeroModule, xero_module

ZOHO_TO_XERO = "zoho_to_xero"
XERO_TO_ZOHO = "xero_to_zoho"
DIRECTIONS = (ZOHO_TO_XERO, XERO_TO_ZOHO)
DIRECTION_LABELS = {ZOHO_TO_XERO: _("Zoho CRM → Xero"), XERO_TO_ZOHO: _("Xero → Zoho CRM")}
DIRECTION_SLUGS = {ZOHO_TO_XERO: "zoho-to-xero", XERO_TO_ZOHO: "xero-to-zoho"}
DIRECTION_BY_SLUG = {slug: direction for direction, slug in DIRECTION_SLUGS.items()}


@dataclass(frozen=True)
class Module:
    key: str
    label: object
    zoho_module: str | None
    xero_label: object
    xero_key: str | None = None
    line_subform: str | None = None  # the Zoho subform holding line items (Invoices)
    line_module: str | None = None  # its module API name in the fields metadata
    mappable: bool = True
    default_account_target: str | None = None  # where the module's default sales account goes

    @property
    def xero(self) -> XeroModule:
        return xero_module(self.xero_key)


MODULES = {
    "accounts": Module("accounts", _("Accounts"), "Accounts", _("Contacts"), "contacts"),
    "contacts": Module("contacts", _("Contacts"), "Contacts", _("Contact persons"), "contact_persons"),
    "products": Module(
        "products",
        _("Products"),
        "Products",
        _("Items"),
        "items",
        default_account_target="SalesDetails.AccountCode",
    ),
    "invoices": Module(
        "invoices",
        _("Invoices"),
        "Invoices",
        _("Sales invoices"),
        "invoices",
        line_subform="Invoiced_Items",
        line_module="Invoiced_Items",
        default_account_target="LineItems[].AccountCode",
    ),
    "xero_accounts": Module(
        "xero_accounts", _("Xero Accounts"), None, _("Chart of accounts"), mappable=False
    ),
}

MAPPABLE_MODULES = tuple(key for key, module in MODULES.items() if module.mappable)
# Modules whose lines/products take a default sales account from the chart of accounts.
ACCOUNT_CODE_MODULES = tuple(key for key, module in MODULES.items() if module.default_account_target)


def get_module(key: str) -> Module:
    try:
        return MODULES[key]
    except KeyError:
        raise LookupError(key) from None


def mappable_module(key: str) -> Module:
    module = get_module(key)
    if not module.mappable:
        raise LookupError(key)
    return module


_API_PATH_PREFIX = re.compile(r"^(?:Contacts|Items|Invoices|ContactPersons)\[\d*\]\.")


def xero_field_label(module_key: str, path: str) -> str:
    """The untranslated label (a msgid, shown with gettext) of a Xero field given by its catalogue path or by an
    API path such as ``Invoices[0].LineItems[1].TaxType``; "" when the module has no such field."""
    try:
        module = get_module(module_key)
    except LookupError:
        return ""
    if not module.xero_key or not path:
        return ""
    path = re.sub(r"\[\d+\]", "[]", _API_PATH_PREFIX.sub("", str(path)))
    field = module.xero.get(path)
    if field is None:
        return ""
    with translation.override("en"):
        return str(field.label)
