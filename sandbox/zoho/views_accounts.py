"""The accounts server of each data centre: the authorize page, the token and revoke endpoints."""

from urllib.parse import urlencode

from django.contrib.auth.hashers import check_password
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import oauth
from .models import User
from .seed import SIGN_IN_EMAIL, SIGN_IN_PASSWORD
from .urls_helpers import accounts_server, api_domain, remember_base

AUTH_PARAMS = ("client_id", "response_type", "redirect_uri", "scope", "access_type", "prompt", "state")


def _redirect(uri: str, params: dict) -> HttpResponseRedirect:
    separator = "&" if "?" in uri else "?"
    return HttpResponseRedirect(f"{uri}{separator}{urlencode({k: v for k, v in params.items() if v is not None})}")


def _problem(params) -> str | None:
    if params.get("client_id") != oauth.CLIENT_ID:
        return _("Invalid client: this client id is not registered with the sandbox.")
    if not oauth.redirect_uri_allowed(params.get("redirect_uri", "")):
        return _("Invalid redirect URI: it must be %(path)s on a loopback host or the portal.") % {
            "path": oauth.REDIRECT_PATH}
    if params.get("response_type") != "code":
        return _("Invalid response type: only \"code\" is supported.")
    scopes = oauth.parse_scopes(params.get("scope", ""))
    if not scopes or oauth.invalid_scopes(scopes):
        return _("Invalid scope: %(scopes)s") % {"scopes": ", ".join(oauth.invalid_scopes(scopes)) or "-"}
    return None


@require_http_methods(["GET", "POST"])
def authorize(request, dc):
    source = request.POST if request.method == "POST" else request.GET
    params = {key: source.get(key, "") for key in AUTH_PARAMS}
    problem = _problem(params)
    if problem:
        return render(request, "sandbox_zoho/authorize_error.html", {"problem": problem}, status=400)
    context = {"params": params, "scopes": oauth.parse_scopes(params["scope"]), "dc": dc,
               "data_centres": [(code, oauth.DC_LABELS[code]) for code in oauth.DATA_CENTRES],
               "chosen_dc": source.get("dc") or _default_dc(), "email": source.get("email", ""),
               "demo_email": SIGN_IN_EMAIL, "demo_password": SIGN_IN_PASSWORD}
    if request.method == "GET":
        return render(request, "sandbox_zoho/authorize.html", context)
    state = params["state"] or None
    if request.POST.get("action") == "deny":
        return _redirect(params["redirect_uri"], {"error": "access_denied", "state": state})
    user = User.objects.select_related("org").filter(email__iexact=request.POST.get("email", "").strip()).first()
    if user is None or not check_password(request.POST.get("password", ""), user.password):
        context["error"] = _("The email address or password is not correct.")
        return render(request, "sandbox_zoho/authorize.html", context, status=400)
    chosen = request.POST.get("dc", "")
    if chosen not in oauth.DATA_CENTRES:
        context["error"] = _("Choose the data centre of the account.")
        return render(request, "sandbox_zoho/authorize.html", context, status=400)
    if user.org.dc != chosen:  # the org lives in the data centre the user picks
        user.org.dc = chosen
        user.org.save(update_fields=["dc"])
    code = oauth.issue_code(user=user, client_id=params["client_id"], redirect_uri=params["redirect_uri"],
                            scopes=oauth.parse_scopes(params["scope"]), offline=params["access_type"] == "offline",
                            dc=chosen, consent=params["prompt"] == "consent")
    return _redirect(params["redirect_uri"], {"state": state, "code": code, "location": chosen,
                                              "accounts-server": accounts_server(chosen, request)})


def _default_dc() -> str:
    user = User.objects.select_related("org").order_by("zid").first()
    return user.org.dc if user else "us"


@csrf_exempt
@require_http_methods(["POST"])
def token(request, dc):
    remember_base(request)
    params = request.GET.copy()
    params.update(request.POST)
    try:
        body = oauth.exchange(params, dc=dc, api_domain=api_domain(dc, request))
    except oauth.TokenError as error:
        return JsonResponse(error.body, status=error.status)
    return JsonResponse(body)


@csrf_exempt
@require_http_methods(["POST"])
def revoke(request, dc):
    raw = request.GET.get("token") or request.POST.get("token", "")
    if not raw or not oauth.revoke(raw, dc=dc):
        return JsonResponse({"error": "invalid_token", "status": "failure"}, status=400)
    return JsonResponse({"status": "success"})

