from django import template

from connections.dashboard import connection_rows

register = template.Library()


@register.inclusion_tag("connections/_dashboard_status.html")
def connection_status(organisation):
    return {"rows": connection_rows(organisation) if organisation is not None else []}
