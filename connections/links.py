"""What the audit log needs to build deep links to a record in Zoho CRM and in Xero."""

from audit.links import LinkContext, zoho_crm_host

from .models import XeroOrganisation, ZohoConnection


def link_context(organisation, xero_tenant_id: str = "") -> LinkContext | None:
    zoho = ZohoConnection.objects.filter(organisation=organisation).only("api_domain", "crm_org_id").first()
    short_code = ""
    if xero_tenant_id:
        xero = XeroOrganisation.objects.filter(organisation=organisation, tenant_id=xero_tenant_id).first()
        short_code = getattr(xero, "short_code", "") if xero else ""
    if zoho is None and not short_code:
        return None
    return LinkContext(
        zoho_crm_host=zoho_crm_host(zoho.api_domain) if zoho else "",
        zoho_org=f"org{zoho.crm_org_id}" if zoho and zoho.crm_org_id else "",
        xero_short_code=short_code,
    )
