"""Control endpoints (/_sandbox/...) and the sandbox's home and counters pages."""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import clock, config, providers, services, traffic


def _json_body(request):
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _bad_request(message):
    return JsonResponse({"error": message}, status=400)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def clock_control(request):
    """GET: the sandbox time. POST {"advance": seconds} or {"reset": true}."""
    if request.method == "POST":
        data = _json_body(request)
        if data is None:
            return _bad_request("The body must be a JSON object.")
        if data.get("reset"):
            clock.reset()
        elif "advance" in data:
            try:
                seconds = float(data["advance"])
            except (TypeError, ValueError):
                return _bad_request("advance must be a number of seconds.")
            clock.advance(seconds)
        else:
            return _bad_request('Send {"advance": seconds} or {"reset": true}.')
    return JsonResponse({"now": clock.now().isoformat(), "offset": clock.offset()})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def config_control(request):
    """GET: the effective configuration. POST: deep-merge a JSON object into it ({"reset": true} restores defaults)."""
    if request.method == "POST":
        data = _json_body(request)
        if data is None:
            return _bad_request("The body must be a JSON object.")
        if data.pop("reset", False):
            config.reset()
        try:
            if data:
                config.update(data)
        except config.ConfigError as error:
            return _bad_request(str(error))
    return JsonResponse(config.snapshot())


@csrf_exempt
@require_GET
def counters_control(request):
    return JsonResponse(traffic.counters())


@csrf_exempt
@require_POST
def counters_reset(request):
    traffic.reset_counters()
    return JsonResponse(traffic.counters())


@csrf_exempt
@require_POST
def reset_control(request):
    services.reset_all()
    return JsonResponse({"reset": True, "now": clock.now().isoformat()})


@require_GET
def index(request):
    return render(request, "sandbox/index.html", {"counters": traffic.counters(), "now": clock.now()})


def _labelled_counters() -> dict:
    """The counters with each tenant's display name (when its emulator knows it)."""
    counters = traffic.counters()
    for provider, entry in counters.items():
        names = providers.tenant_names(provider)
        entry["tenants"] = [{"id": tenant, "name": names.get(tenant, ""), "calls": calls}
                            for tenant, calls in entry["by_tenant"].items()]
        for row in entry["rows"]:
            row["tenant_name"] = names.get(row["tenant"], "")
    return counters


@require_GET
def counters_page(request):
    return render(request, "sandbox/counters.html", {"counters": _labelled_counters(), "now": clock.now()})
