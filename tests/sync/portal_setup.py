"""A portal organisation connected to the sandbox (one Xero organisation, the Zoho org), ready to sync."""

from dataclasses import dataclass

from connections import services as connection_services
from connections.models import XeroOrganisation, ZohoConnection
from connections.providers.xero.client import XeroClient
from connections.providers.zoho.client import ZohoClient
from mapping import services as mapping_services
from mapping import taxes as mapping_taxes
from tests.connections.sandbox_flows import connect_xero, connect_zoho

XERO_EMAIL, XERO_PASSWORD = "demo@xero.sandbox", "sandbox"
WRITE_METHODS = ("PUT", "POST", "DELETE")


@dataclass
class Connected:
    organisation: object
    xero_organisation: XeroOrganisation
    xero: XeroClient
    zoho: ZohoClient


def connect(sandbox, owner_client, organisation, owner, settings) -> Connected:
    settings.XERO_RATE_LIMIT_PER_WINDOW = 100_000
    settings.XERO_MAX_CONCURRENT = 50
    settings.XERO_DAILY_LIMIT = 1_000_000
    settings.ZOHO_MAX_CONCURRENT = 50
    sandbox.configure(xero={"minute_limit": 100_000, "day_limit": 1_000_000, "concurrent_limit": 50},
                      zoho={"concurrency": 50, "daily_credits": 10_000_000})
    sandbox.seed(xero={"contacts": 0, "items": 0, "invoices": 0}, zoho={"accounts": 0, "products": 0, "invoices": 0})
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=1)
    connect_zoho(owner_client, dc="eu")
    connection_services.accept_terms(organisation, owner)
    xero_organisation = XeroOrganisation.objects.get(organisation=organisation)
    zoho = ZohoClient(ZohoConnection.objects.get(organisation=organisation))
    xero = XeroClient(xero_organisation)
    mapping_services.refresh_zoho_fields(organisation, zoho)
    mapping_taxes.refresh_xero_reference(xero_organisation, xero)
    return Connected(organisation, xero_organisation, xero, zoho)


def start_syncing(portal: Connected, modules=None, directions=("zoho_to_xero", "xero_to_zoho")) -> Connected:
    """What the admin does on "Ready to sync": Start syncing, per module and direction (everything by default).
    A newly connected organisation syncs nothing until then."""
    from sync.models import SYNCED_MODULES
    from sync.readiness import services as readiness

    for module in modules or SYNCED_MODULES:
        for direction in directions:
            readiness.start_syncing(portal.xero_organisation, module, direction)
    return portal


def writes(sandbox, provider: str) -> int:
    """Write calls the sandbox counted for a provider (COQL and OAuth are reads)."""
    rows = sandbox.counters().get(provider, {}).get("rows", [])
    return sum(
        row["calls"]
        for row in rows
        if row["method"] in WRITE_METHODS and "coql" not in row["endpoint"] and "oauth" not in row["endpoint"]
        and "token" not in row["endpoint"] and "connect" not in row["endpoint"]
    )
