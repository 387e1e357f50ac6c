"""The dashboard's sync cards, filled in from the sync app (the audit app's dashboard template loads them)."""

from django import template

from connections import services as connection_services

from ..readiness import services as readiness
from ..settings_services import on_save_sync_enabled
from ..trigger_models import HistoricalJob, JobStatus

register = template.Library()


@register.inclusion_tag("sync/_getting_started.html")
def getting_started(organisation):
    """The "Getting started" box, until some module of a chosen Xero organisation syncs."""
    if organisation is None:
        return {"show": True, "connected": False}
    connected = connection_services.zoho_connection(organisation) is not None and \
        connection_services.xero_organisations(organisation).filter(selected=True).exists()
    return {"show": not readiness.anything_started(organisation), "connected": connected,
            "terms_accepted": connection_services.terms_accepted(organisation)}


@register.inclusion_tag("sync/_dashboard_sync_status.html")
def sync_status(organisation, tenant_id=""):
    """Per chosen Xero organisation: what syncs and, plainly, what does not yet and why; the last historical
    job."""
    if organisation is None:
        return {"organisations": []}
    chosen = connection_services.xero_organisations(organisation).filter(selected=True).order_by("tenant_name")
    if tenant_id:
        chosen = chosen.filter(tenant_id=tenant_id)
    on_save = None
    rows = []
    for xero_organisation in chosen:
        on_save = on_save_sync_enabled(organisation) if on_save is None else on_save
        states = readiness.module_states(xero_organisation, on_save=on_save)
        job = (HistoricalJob.objects.filter(xero_organisation=xero_organisation, status=JobStatus.DONE)
               .order_by("-finished_at").first())
        rows.append({"xero_organisation": xero_organisation, "states": states, "last_job": job,
                     "nothing_syncs": not any(d.syncing for s in states for d in s.directions)})
    return {"organisations": rows}
