"""Per-provider hooks the core calls: which tenant a request is for, the shape of an injected failure, reset.

An emulator registers itself once (in its AppConfig.ready):
    register("xero", tenant=lambda request: ..., failure_response=lambda request, status: HttpResponse(...),
             on_reset=lambda: ...)
"""

import dataclasses
from collections.abc import Callable

from django.http import JsonResponse

PREFIXES = ("xero", "zoho")


@dataclasses.dataclass
class Provider:
    name: str
    tenant: Callable | None = None  # request -> str ("" when unknown)
    failure_response: Callable | None = None  # (request, status) -> HttpResponse
    on_reset: Callable | None = None  # () -> None: forget in-memory state
    tenant_names: Callable | None = None  # () -> {tenant id: display name}, for the counters page
    in_flight: Callable | None = None  # WSGI environ -> (InFlight registry, key) or None; no database access


_registry: dict[str, Provider] = {}


def register(name: str, **hooks) -> Provider:
    provider = Provider(name=name, **hooks)
    _registry[name] = provider
    return provider


def get(name: str) -> Provider:
    return _registry.get(name) or Provider(name=name)


def all_registered() -> list[Provider]:
    return list(_registry.values())


def for_path(path: str) -> str | None:
    """'xero' or 'zoho' from the first path segment, else None."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in PREFIXES else None


def is_ui_path(path: str) -> bool:
    parts = path.lstrip("/").split("/")
    return len(parts) > 1 and parts[0] in PREFIXES and parts[1] == "ui"


def in_flight_claim(environ):
    """(registry, key) under which this request counts as in flight from its arrival, or None."""
    provider = for_path(environ.get("PATH_INFO", ""))
    hook = get(provider).in_flight if provider else None
    return hook(environ) if hook else None


def tenant_names(provider: str) -> dict:
    hook = get(provider).tenant_names
    try:
        return dict(hook()) if hook else {}
    except Exception:  # labels are cosmetic
        return {}


def tenant_of(request, provider: str) -> str:
    explicit = getattr(request, "sandbox_tenant", None)
    if explicit is not None:
        return str(explicit)
    hook = get(provider).tenant
    if hook is None:
        return ""
    try:
        return str(hook(request) or "")
    except Exception:  # a tenant guess must never break a response
        return ""


def failure_response(request, provider: str, status: int):
    hook = get(provider).failure_response
    if hook is not None:
        return hook(request, status)
    response = JsonResponse({"status": status, "message": "Injected failure (sandbox)"}, status=status)
    if status == 429:
        response["Retry-After"] = "1"
    return response
