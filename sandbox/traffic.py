"""API call counters and the traffic log of the sandbox server.

Counting rule: a request is an *API call* when the view that answers it is marked with `@api_view`
(the emulators mark their REST endpoints: Xero's api.xro/2.0 and /connections, Zoho's /crm/v8). OAuth
(sign-in pages, token, revocation), the web UI and the /_sandbox control endpoints are not counted.
A call is counted whatever its answer (including 401/403/429 and injected failures), per provider,
endpoint (the resolved route without the provider prefix, e.g. "api.xro/2.0/Contacts"), method and tenant
(`request.sandbox_tenant`, set by the view; Xero: the xero-tenant-id, Zoho: the org id).

Traffic log: with SANDBOX_TRAFFIC_LOG=path (environment or setting) every exchange under /xero/ or /zoho/
(except the web UI under /<provider>/ui/) appends one JSON line, secrets masked (see README).
"""

import json
import os
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.views.decorators.csrf import csrf_exempt

from . import clock, providers

SECRET_FIELDS = {
    "access_token", "refresh_token", "id_token", "client_secret", "code", "code_verifier", "token", "password",
}
# In JSON bodies `code` is an API's result or error code (Zoho's "SUCCESS", "INVALID_DATA"), which whoever
# validates the log needs to see; an OAuth authorization code only travels in URLs and form bodies.
JSON_SECRET_FIELDS = SECRET_FIELDS - {"code"}
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
MASK = "***"
_log_lock = threading.Lock()


def api_view(view):
    """Mark a view as an API endpoint: counted, open to failure injection, exempt from the UI origin check."""
    view = csrf_exempt(view)
    view.sandbox_api = True
    return view


def is_api_call(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and getattr(match.func, "sandbox_api", False))


def endpoint_of(request, provider: str) -> str:
    match = getattr(request, "resolver_match", None)
    route = (match.route if match else request.path_info.lstrip("/")) or ""
    prefix = provider + "/"
    return route[len(prefix):] if route.startswith(prefix) else route


# Counters -----------------------------------------------------------------------------------------------

def count(provider: str, endpoint: str, method: str, tenant: str, status: int) -> None:
    from .models import ApiCounter

    key = {"provider": provider, "endpoint": endpoint[:200], "method": method, "tenant": (tenant or "")[:100]}
    changes = {"calls": F("calls") + 1, "last_call": clock.now()}
    if status == 429:
        changes["throttled"] = F("throttled") + 1
    if ApiCounter.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic(using="sandbox"):
            ApiCounter.objects.create(**key, calls=1, throttled=int(status == 429), last_call=changes["last_call"])
    except IntegrityError:  # another thread created it first
        ApiCounter.objects.filter(**key).update(**changes)


def counters() -> dict:
    """Totals per provider, per endpoint, per tenant, and the detailed rows."""
    from .models import ApiCounter

    result = {name: {"total": 0, "throttled": 0, "by_endpoint": {}, "by_tenant": {}, "rows": []}
              for name in providers.PREFIXES}
    for row in ApiCounter.objects.all():
        entry = result.setdefault(row.provider, {"total": 0, "throttled": 0, "by_endpoint": {}, "by_tenant": {},
                                                 "rows": []})
        entry["total"] += row.calls
        entry["throttled"] += row.throttled
        entry["by_endpoint"][row.endpoint] = entry["by_endpoint"].get(row.endpoint, 0) + row.calls
        entry["by_tenant"][row.tenant] = entry["by_tenant"].get(row.tenant, 0) + row.calls
        entry["rows"].append({
            "endpoint": row.endpoint, "method": row.method, "tenant": row.tenant, "calls": row.calls,
            "throttled": row.throttled, "last_call": row.last_call.isoformat() if row.last_call else None,
        })
    return result


def reset_counters() -> None:
    from .models import ApiCounter

    ApiCounter.objects.all().delete()


# Traffic log --------------------------------------------------------------------------------------------

def log_paths() -> list[str]:
    """Where an exchange is logged: the setting (a test may point it at a log of its own) and the environment
    variable (a whole test run's log, see tests/traffic_check.py), each once."""
    paths = (getattr(settings, "SANDBOX_TRAFFIC_LOG", "") or "", os.environ.get("SANDBOX_TRAFFIC_LOG") or "")
    return list(dict.fromkeys(path for path in paths if path))


def mask_header(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "location":  # an OAuth redirect carries the authorization code in its query
        return mask_url(value)
    if lowered in SECRET_HEADERS or "token" in lowered or "secret" in lowered:
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {MASK}" if rest and lowered in {"authorization", "proxy-authorization"} else MASK
    return value


def mask_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, MASK if k in SECRET_FIELDS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/:*")))


def _mask_json(value):
    if isinstance(value, dict):
        return {k: (MASK if k in JSON_SECRET_FIELDS and isinstance(v, str) else _mask_json(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    return value


BINARY_TYPES = ("application/zip", "application/octet-stream", "application/x-download", "application/pdf")


def mask_body(body: bytes, content_type: str) -> str:
    if body and content_type.split(";")[0].strip().lower() in BINARY_TYPES:  # e.g. a bulk read result
        return f"<{len(body)} bytes of {content_type.split(';')[0].strip()}>"
    text = body.decode("utf-8", errors="replace")
    if not text:
        return ""
    if "json" in content_type or text[:1] in "[{":
        try:
            return json.dumps(_mask_json(json.loads(text)), ensure_ascii=False)
        except ValueError:
            return text
    if "x-www-form-urlencoded" in content_type or (not content_type and "=" in text):  # a form sent untyped
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, MASK if k in SECRET_FIELDS else v) for k, v in pairs])
    return text


def request_headers(request) -> dict:
    headers = dict(request.headers)
    return {name: mask_header(name, value) for name, value in headers.items()}


def current_test() -> str:
    """The pytest node id of the test running in this process (pytest's PYTEST_CURRENT_TEST, without its phase),
    or "": the traffic check (tests/sandbox/spec_conformance.py) lists the invalid requests a test sends on purpose
    by the test that sends them."""
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]


def write_log_line(path: str, line: dict) -> None:
    data = json.dumps(line, ensure_ascii=False) + "\n"
    with _log_lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(data)


class TrafficMiddleware:
    """Outermost sandbox middleware: counts API calls and writes the traffic log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        provider = providers.for_path(request.path_info)
        if provider is None:
            return self.get_response(request)
        body = request.body  # read now: Django keeps it for the view
        response = self.get_response(request)
        if is_api_call(request):
            count(provider, endpoint_of(request, provider), request.method,
                  providers.tenant_of(request, provider), response.status_code)
        paths = log_paths()
        if paths and not providers.is_ui_path(request.path_info):
            self._log(paths, provider, request, body, response)
        return response

    def _log(self, paths, provider, request, body, response):
        content = b"" if getattr(response, "streaming", False) else response.content
        line = {
            "provider": provider,
            "method": request.method,
            "url": mask_url(request.build_absolute_uri()),
            "request_headers": request_headers(request),
            "request_body": mask_body(body, request.content_type or ""),
            "status": response.status_code,
            "response_headers": {name: mask_header(name, value) for name, value in response.items()},
            "response_body": mask_body(content, response.get("Content-Type", "")),
        }
        test = current_test()
        if test:
            line["test"] = test
        for path in paths:
            write_log_line(path, line)
