"""What the dashboard shows about connections: status, token expiry, today's API calls per side."""

from dataclasses import dataclass
from datetime import datetime

from .counters import calls_today
from .models import Provider, Status
from .services import xero_organisations, zoho_connection


@dataclass(frozen=True)
class ConnectionRow:
    provider: str
    name: str
    status: str
    status_label: str
    token_expires_at: datetime | None
    calls_today: int
    day_limit_remaining: int | None = None


def connection_rows(organisation) -> list[ConnectionRow]:
    rows = []
    zoho = zoho_connection(organisation)
    if zoho is not None:
        rows.append(ConnectionRow(
            provider="Zoho CRM", name=zoho.crm_org_name or zoho.location.upper(), status=zoho.status,
            status_label=zoho.get_status_display(), token_expires_at=zoho.expires_at,
            calls_today=calls_today(organisation_id=organisation.pk, provider=Provider.ZOHO),
        ))
    for xero in xero_organisations(organisation).filter(selected=True).select_related("token_set"):
        status = Status.RECONNECT_NEEDED if Status.RECONNECT_NEEDED in (xero.status, xero.token_set.status) else xero.status
        rows.append(ConnectionRow(
            provider="Xero", name=xero.tenant_name, status=status, status_label=Status(status).label,
            token_expires_at=xero.token_set.expires_at,
            calls_today=calls_today(organisation_id=organisation.pk, provider=Provider.XERO, external_id=xero.tenant_id),
            day_limit_remaining=xero.day_limit_remaining,
        ))
    return rows
