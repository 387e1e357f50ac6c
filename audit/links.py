"""Deep links from an audit entry to the record in Zoho CRM and in Xero.

The builders are small pure functions. What they need beyond the entry (the Zoho CRM host and org
segment, the Xero organisation's ShortCode) belongs to the connections app, which registers a lookup
with `set_link_context_lookup(...)` (in its AppConfig.ready); this module never imports it. Without a
lookup, Xero links still work (they open in the user's current Xero organisation) and Zoho links are
omitted, since a Zoho record URL needs the org segment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .models import Module

# Zoho CRM module API names per audit module (the "tab" segment of a record URL).
ZOHO_MODULES = {
    Module.ACCOUNTS: "Accounts",
    Module.CONTACTS: "Contacts",
    Module.PRODUCTS: "Products",
    Module.INVOICES: "Invoices",
}

# Paths inside Xero per audit module. Contacts and invoices are Xero's documented deep links
# (developer.xero.com "Deep link to Xero"); items use the inventory page path.
XERO_PATHS = {
    Module.ACCOUNTS: "/Contacts/View/{id}",
    Module.CONTACTS: "/Contacts/View/{id}",
    Module.INVOICES: "/AccountsReceivable/View.aspx?InvoiceID={id}",
    Module.PRODUCTS: "/Accounts/Inventory/{id}",
}
XERO_APP_URL = "https://go.xero.com"


@dataclass(frozen=True)
class LinkContext:
    """What a connection knows: the Zoho CRM web host (e.g. "crm.zoho.eu") and org segment
    (GET /org `domain_name`, e.g. "org20061234"), and the Xero organisation's ShortCode (e.g. "!NLglS")."""

    zoho_crm_host: str = ""
    zoho_org: str = ""
    xero_short_code: str = ""


_lookup: Callable[..., LinkContext | None] | None = None


def set_link_context_lookup(lookup: Callable[..., LinkContext | None] | None) -> None:
    """Register `lookup(organisation, xero_tenant_id) -> LinkContext | None` (the connections app calls this)."""
    global _lookup
    _lookup = lookup


def zoho_crm_host(api_domain: str) -> str:
    """The Zoho CRM web host for an API domain: "https://www.zohoapis.eu" -> "crm.zoho.eu".

    Canada is the exception among Zoho's data centres: its accounts and CRM live under zohocloud.ca.
    """
    host = urlsplit(api_domain).hostname or api_domain
    _, _, tld = host.partition("zohoapis.")
    if not tld:
        return ""
    return "crm.zohocloud.ca" if tld == "ca" else f"crm.zoho.{tld}"


def zoho_record_url(crm_host: str, org: str, module: str, record_id: str) -> str:
    """https://crm.zoho.<dc>/crm/<org>/tab/<Module>/<id>, or "" when a part is missing or unknown."""
    tab = ZOHO_MODULES.get(module)
    if not (crm_host and org and tab and record_id):
        return ""
    return f"https://{quote(crm_host)}/crm/{quote(org, safe='')}/tab/{tab}/{quote(record_id, safe='')}"


def xero_record_url(module: str, xero_id: str, short_code: str = "") -> str:
    """The record in Xero; with the organisation's ShortCode the link opens in the right organisation."""
    template = XERO_PATHS.get(module)
    if not (template and xero_id):
        return ""
    path = template.format(id=quote(xero_id, safe=""))
    if not short_code:
        return XERO_APP_URL + path
    # Xero's documented form leaves the redirect path unencoded (the id in it is already quoted).
    return (
        f"{XERO_APP_URL}/organisationlogin/default.aspx?shortcode={quote(short_code, safe='')}"
        f"&redirecturl={path}"
    )


def record_links(entry) -> dict:
    """{"zoho": url or "", "xero": url or "", "conflict": url or "", "dependency": url or ""} for an audit entry,
    using the registered lookup if any. "conflict": the record on the target side that the provider said already
    holds the value (a refused duplicate: `message_params["conflict_id"]`); "dependency": the Zoho record the
    entry's record waits for (`message_params["dependency_module"]`, `["dependency_id"]`)."""
    context = (_lookup(entry.organisation, entry.xero_tenant_id) if _lookup else None) or LinkContext()
    conflict_id = str((entry.message_params or {}).get("conflict_id") or "")
    conflict = ""
    if conflict_id and entry.direction == "xero_to_zoho":
        conflict = zoho_record_url(context.zoho_crm_host, context.zoho_org, entry.module, conflict_id)
    elif conflict_id and entry.direction == "zoho_to_xero":
        conflict = xero_record_url(entry.module, conflict_id, context.xero_short_code)
    params = entry.message_params or {}
    dependency = zoho_record_url(context.zoho_crm_host, context.zoho_org, str(params.get("dependency_module") or ""),
                                 str(params.get("dependency_id") or ""))
    return {
        "zoho": zoho_record_url(context.zoho_crm_host, context.zoho_org, entry.module, entry.zoho_id),
        "xero": xero_record_url(entry.module, entry.xero_id, context.xero_short_code),
        "conflict": conflict,
        "conflict_id": conflict_id,
        "conflict_name": str(params.get("conflict_name") or "") if conflict_id else "",  # (Xero: looked up)
        "dependency": dependency,  # the Zoho record a failure waits for (WAITS_FOR_DEPENDENCY)
    }
