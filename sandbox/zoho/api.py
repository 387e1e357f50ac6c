"""The plumbing every CRM API view shares: token, scope, concurrency slot, credits, error bodies."""

import functools
import json
import math

from django.http import HttpResponse, JsonResponse

from sandbox import config
from sandbox.concurrency import serial
from sandbox.traffic import api_view

from . import limits, oauth
from .errors import ZohoError, invalid_module
from .schema import canonical_module
from .urls_helpers import remember_base


def json_response(status: int, body) -> HttpResponse:
    if body is None:  # 204 and 304 carry no body, so no Content-Type either (Django's default is text/html)
        response = HttpResponse(status=status)
        del response["Content-Type"]
        return response
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def module_or_error(name: str) -> str:
    module = canonical_module(name)
    if module is None:
        raise invalid_module()
    return module


def body_of(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ZohoError("INVALID_DATA", "invalid data", {"reason": "the request body is not valid JSON"}) from None
    if not isinstance(body, dict):
        raise ZohoError("INVALID_DATA", "invalid data", {"reason": "the request body must be a JSON object"})
    return body


def write_credits(count: int) -> int:
    """Insert/update/upsert cost one credit per ten records."""
    return max(1, math.ceil(count / 10))


def status_of(results: list[dict], success: int = 200) -> int:
    ok = sum(1 for result in results if result.get("status") == "success")
    if ok == len(results):
        return success
    return 400 if ok == 0 else 207


def endpoint(scope, *, methods=("GET",), heavy=None):
    """Wrap a CRM API view. `scope(request, **kwargs)` returns (area, operation) or None (no scope needed);
    `heavy(request, **kwargs)` says whether the call counts against the sub-concurrency limit."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, dc, **kwargs):
            remember_base(request)
            try:
                if request.method not in methods:
                    raise ZohoError("INVALID_REQUEST_METHOD", "The http request method type is not a valid one",
                                    status=405)
                token = oauth.authenticate(request, dc)
                org = token.user.org
                request.sandbox_tenant = str(org.zid)
                request.zoho_token, request.zoho_user, request.zoho_org, request.zoho_dc = token, token.user, org, dc
                request.zoho_credits = 1
                needed = scope(request, **kwargs)
                if needed is not None:
                    oauth.require_scope(token, *needed)
                limits.check_credits(org)
                with limits.slot(org, heavy=bool(heavy and heavy(request, **kwargs))):
                    serial.pause(float(config.get("latency.zoho", 0) or 0))
                    try:
                        response = view(request, **kwargs)
                    finally:
                        limits.charge(org, request.zoho_credits)
                left = limits.remaining(org)
                if left <= int(config.get("zoho.daily_credits", 50000)) // 2:
                    response["X-API-CREDITS-REMAINING"] = str(max(left, 0))
                return response
            except ZohoError as error:
                return error.response()

        return api_view(wrapped)

    return decorator


def module_scope(request, module=None, **kwargs):
    from .subform import PARENT_MODULE, is_subform

    name = PARENT_MODULE if is_subform(module) else canonical_module(module or "") or (module or "").lower()
    return f"modules.{name.lower()}", oauth.operation_of(request.method)
