"""Xero's paths are case-insensitive (`/Contacts` and `/contacts`, `/connections` and `/Connections` all work:
Xero's identity spec writes `/Connections`, xero.md §1 `/connections`). The emulator's URLconf spells each path
once; this middleware maps any other spelling of the fixed parts onto it before Django resolves the URL.
Identifiers (ContactNumber, InvoiceNumber, item codes) are left as sent."""

import re

from django.urls import get_resolver

API = "api.xro/2.0"
_API_PATH = re.compile(r"^/xero/(?P<api>api\.xro/2\.0)/(?P<resource>[^/]+)(?P<rest>/.*)?$", re.IGNORECASE)
_CONNECTIONS = re.compile(r"^/xero/(?P<name>connections)(?P<rest>/.*)?$", re.IGNORECASE)


def _resources() -> dict[str, str]:
    """{lower-case name: name as the URLconf spells it} of the Accounting API's collections."""
    names = {}
    for pattern in get_resolver("sandbox.xero.urls").url_patterns:
        route = str(pattern.pattern)
        if route.startswith(API + "/"):
            resource = route[len(API) + 1:].split("/", 1)[0]
            if resource and not resource.startswith(("^", "<")):
                names[resource.lower()] = resource
    return names


def canonical(path: str) -> str:
    """`path` with the fixed parts of a Xero API path spelt as the URLconf spells them."""
    match = _API_PATH.match(path)
    if match:
        resource = _resources().get(match["resource"].lower(), match["resource"])
        return f"/xero/{API}/{resource}{match['rest'] or ''}"
    match = _CONNECTIONS.match(path)
    if match:
        return f"/xero/connections{match['rest'] or ''}"
    return path


class CaseInsensitivePathMiddleware:
    """Rewrite request.path_info to the canonical spelling (the traffic log keeps the URL as it was sent)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = canonical(request.path_info)
        if path != request.path_info:
            request.path_info = path  # Django resolves with path_info; request.path stays as sent
        return self.get_response(request)
