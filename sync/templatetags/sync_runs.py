from django import template

from sync.dashboard import active_runs

register = template.Library()


@register.inclusion_tag("sync/_dashboard_runs.html", takes_context=True)
def running_syncs(context, organisation):
    request = context.get("request")
    membership = getattr(request, "membership", None)
    return {"rows": active_runs(organisation), "can_manage": bool(membership and membership.can_manage),
            "csrf_token": context.get("csrf_token")}
