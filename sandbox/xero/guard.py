"""What every Xero API call goes through: bearer token, scopes, xero-tenant-id, limits, in-flight count."""

import functools
import uuid

from django.db.models import Q

from sandbox import clock, config
from sandbox.concurrency import serial
from sandbox.traffic import api_view

from . import formats, identity, limits
from .models import AccessToken, Connection, Organisation

READ_METHODS = {"GET", "HEAD"}


def _unauthorized(detail: str):
    response = formats.problem(401, "Unauthorized", detail)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def forbidden():
    return formats.problem(403, "Forbidden", "AuthenticationUnsuccessful")


def authenticate(request):
    """The access token's grant, or an error response."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, _unauthorized("AuthenticationUnsuccessful")
    access = AccessToken.objects.select_related("grant", "grant__user").filter(token=token.strip()).first()
    if access is None or access.revoked or access.grant.revoked_at is not None:
        return None, _unauthorized("AuthenticationUnsuccessful")
    if clock.now() >= access.expires_at:
        return None, _unauthorized(f"TokenExpired: token expired at {access.expires_at:%m/%d/%Y %H:%M:%S}")
    return access.grant, None


def connected_organisation(grant, tenant_header: str):
    try:
        tenant_id = uuid.UUID((tenant_header or "").strip())
    except ValueError:
        return None
    connected = Connection.objects.filter(Q(user=grant.user) & Q(client_id=grant.client_id),
                                          organisation_id=tenant_id).exists()
    return Organisation.objects.filter(pk=tenant_id).first() if connected else None


def _with_headers(response, headers):
    for name, value in headers.items():
        response[name] = str(value)
    response.setdefault("Xero-Correlation-Id", str(uuid.uuid4()))
    return response


def xero_api(area: str, *, tenant: bool = True):
    """Decorate an API view of `area` (a key of identity.API_SCOPES, or None for /connections)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            settings_now = config.snapshot()
            xero = settings_now["xero"]
            headers = {"X-AppMinLimit-Remaining": limits.app_remaining(xero)}
            grant, error = authenticate(request)
            if error is not None:
                return _with_headers(error, headers)
            if area is not None:
                read, write = identity.API_SCOPES[area]
                needed = read if request.method in READ_METHODS else write
                if not needed & set(grant.scopes.split()):
                    return _with_headers(_unauthorized("AuthorizationUnsuccessful"), headers)
            request.xero_grant = grant
            if not tenant:
                return _with_headers(view(request, *args, **kwargs), headers)
            organisation = connected_organisation(grant, request.headers.get("xero-tenant-id", ""))
            if organisation is None:
                return _with_headers(forbidden(), headers)
            request.sandbox_tenant = str(organisation.pk)
            request.xero_org = organisation
            key = str(organisation.pk)
            limit = int(xero["concurrent_limit"])
            arrived = request.META.get("sandbox.in_flight_count")  # counted by the server on arrival
            if arrived is not None:
                admitted, counted_here = arrived <= limit, False
            else:  # served without the sandbox server's counting (e.g. Django's test client)
                admitted = counted_here = limits.in_flight.enter(key, limit)
            if not admitted:
                return _with_headers(formats.rate_limited("concurrent"), headers)
            try:
                verdict = limits.take_call(key, xero)
                headers.update(verdict.remaining)
                if verdict.problem is not None:
                    return _with_headers(formats.rate_limited(verdict.problem, verdict.retry_after), headers)
                serial.pause(float(settings_now["latency"].get("xero", 0) or 0))
                response = view(request, *args, **kwargs)
            finally:
                if counted_here:
                    limits.in_flight.leave(key)
            return _with_headers(response, headers)

        return api_view(wrapped)

    return decorator
