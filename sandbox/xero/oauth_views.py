"""Xero identity endpoints: the authorize page (sign in, tick organisations), token, revocation, connections."""

from urllib.parse import urlencode

from django.contrib.auth.hashers import check_password
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from sandbox import clock

from . import formats, identity
from .guard import xero_api
from .models import Connection, XeroUser

USER_COOKIE = "sandbox_xero_user"
USER_COOKIE_SALT = "sandbox.xero.user"


def signed_in_user(request):
    value = request.get_signed_cookie(USER_COOKIE, default=None, salt=USER_COOKIE_SALT)
    return XeroUser.objects.filter(pk=value).first() if value else None


def sign_in(response, user):
    response.set_signed_cookie(USER_COOKIE, str(user.pk), salt=USER_COOKIE_SALT, httponly=True, samesite="Lax")
    return response


def _redirect_with(redirect_uri, **params):
    params = {k: v for k, v in params.items() if v not in (None, "")}
    separator = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode(params)}")


def _error_page(request, message, status=400):
    return render(request, "sandbox/xero/oauth_error.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
def authorize(request):
    params = request.GET
    state = params.get("state", "")
    if params.get("client_id") != identity.CLIENT_ID:
        return _error_page(request, _("Unknown client_id: this app is not registered."))
    redirect_uri = params.get("redirect_uri", "")
    if not identity.redirect_uri_allowed(redirect_uri):
        return _error_page(request, _("Invalid redirect_uri: it is not registered for this app."))
    if params.get("response_type") != "code":
        return _redirect_with(redirect_uri, error="unsupported_response_type", state=state)
    try:
        scopes = identity.check_scopes(params.get("scope", ""))
    except identity.OAuthError as error:
        return _redirect_with(redirect_uri, error=error.error, error_description=error.description, state=state)
    challenge, method = params.get("code_challenge", ""), params.get("code_challenge_method", "")
    if (challenge or method) and (method != "S256" or not challenge):
        return _redirect_with(redirect_uri, error="invalid_request",
                              error_description="code_challenge_method must be S256", state=state)

    user = signed_in_user(request)
    context = {"scopes": scopes, "redirect_uri": redirect_uri, "action_url": request.get_full_path()}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "signin":
            candidate = XeroUser.objects.filter(email__iexact=request.POST.get("email", "").strip()).first()
            if candidate is None or not check_password(request.POST.get("password", ""), candidate.password):
                context["signin_error"] = _("Wrong email or password.")
                return render(request, "sandbox/xero/signin.html", context, status=200)
            return sign_in(HttpResponseRedirect(request.get_full_path()), candidate)
        if action == "signout":
            response = HttpResponseRedirect(request.get_full_path())
            response.delete_cookie(USER_COOKIE)
            return response
        if action == "cancel":
            return _redirect_with(redirect_uri, error="access_denied", state=state)
        if user is None:
            return render(request, "sandbox/xero/signin.html", context)
        chosen = set(request.POST.getlist("tenant"))
        organisations = [org for org in user.organisations.all() if str(org.pk) in chosen]
        if not organisations:
            context.update(user=user, organisations=user.organisations.all(),
                           consent_error=_("Tick at least one organisation."))
            return render(request, "sandbox/xero/consent.html", context)
        code = identity.issue_code(user=user, organisations=organisations, scopes=scopes,
                                   redirect_uri=redirect_uri, code_challenge=challenge)
        return _redirect_with(redirect_uri, code=code, scope=" ".join(scopes), state=state)
    if user is None:
        return render(request, "sandbox/xero/signin.html", context)
    context.update(user=user, organisations=user.organisations.all())
    return render(request, "sandbox/xero/consent.html", context)


def _oauth_error(error: identity.OAuthError) -> JsonResponse:
    payload = {"error": error.error}
    if error.description:
        payload["error_description"] = error.description
    return JsonResponse(payload, status=error.status)


def _issuer(request) -> str:
    return request.build_absolute_uri("/xero/identity")


@csrf_exempt
@require_POST
def token(request):
    try:
        identity.authenticate_client(request.headers.get("Authorization", ""), request.POST)
        grant_type = request.POST.get("grant_type", "")
        if grant_type == "authorization_code":
            payload = identity.exchange_code(code=request.POST.get("code", ""),
                                             redirect_uri=request.POST.get("redirect_uri", ""),
                                             code_verifier=request.POST.get("code_verifier", ""),
                                             issuer=_issuer(request))
        elif grant_type == "refresh_token":
            payload = identity.refresh(token=request.POST.get("refresh_token", ""), issuer=_issuer(request))
        else:
            raise identity.OAuthError("unsupported_grant_type")
    except identity.OAuthError as error:
        return _oauth_error(error)
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def revocation(request):
    try:
        identity.authenticate_client(request.headers.get("Authorization", ""), request.POST)
    except identity.OAuthError as error:
        return _oauth_error(error)
    token_value = request.POST.get("token", "")
    if not token_value:
        return JsonResponse({"error": "invalid_request"}, status=400)
    identity.revoke(token_value)
    return HttpResponse(status=200)


def _utc(value):
    """Xero's connection timestamps have 7 fractional digits and no offset ("2020-02-02T19:17:58.1117990",
    the identity API's example); Python keeps microseconds, so the seventh digit is always 0."""
    return value.astimezone(clock.now().tzinfo).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def _connection_json(connection):
    return {
        "id": str(connection.pk),
        "authEventId": str(connection.auth_event_id),
        "tenantId": str(connection.organisation_id),
        "tenantType": "ORGANISATION",
        "tenantName": connection.organisation.name,
        "createdDateUtc": _utc(connection.created_at),
        "updatedDateUtc": _utc(connection.updated_at),
    }


@xero_api(None, tenant=False)
@require_http_methods(["GET"])
def connections(request):
    grant = request.xero_grant
    rows = Connection.objects.filter(user=grant.user, client_id=grant.client_id).select_related(
        "organisation").order_by("created_at")
    auth_event = request.GET.get("authEventId")
    if auth_event:
        rows = rows.filter(auth_event_id=auth_event) if _is_uuid(auth_event) else rows.none()
    return formats.json_response([_connection_json(c) for c in rows])


@xero_api(None, tenant=False)
@require_http_methods(["DELETE"])
def connection_detail(request, connection_id):
    grant = request.xero_grant
    deleted, _count = Connection.objects.filter(pk=connection_id, user=grant.user,
                                                client_id=grant.client_id).delete()
    return formats.no_content() if deleted else formats.not_found()


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
