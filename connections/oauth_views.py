"""Start and callback views of the two OAuth flows (state in the session, used once; PKCE for Xero)."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenancy.access import current_organisation, require_manager

from . import services, statekit
from .exceptions import ProviderError
from .providers.oauth import pkce_pair
from .providers.xero.adapter import XeroAdapter
from .providers.zoho.adapter import ZohoAdapter

logger = logging.getLogger(__name__)
NEXT_PAGES = {"onboarding": "connections:onboarding", "index": "connections:index"}


def redirect_uri(request, url_name: str) -> str:
    """{PORTAL_BASE_URL}{path} when the request came through the configured public host, else the
    request's own scheme and host (a dev server on another port, the test live server)."""
    path = reverse(url_name)
    base = settings.PORTAL_BASE_URL
    if base and urlsplit(base).netloc == request.get_host():
        return f"{base}{path}"
    return request.build_absolute_uri(path)


def _next(value: str | None) -> str:
    return value if value in NEXT_PAGES else "index"


def _cancelled_or_failed(request, data, error: str, description: str, provider_label: str):
    target = NEXT_PAGES[_next((data or {}).get("next"))]
    if error == "access_denied":
        messages.info(request, _("You cancelled the %(provider)s authorization. Nothing was changed; you can "
                                 "try again whenever you are ready.") % {"provider": provider_label})
    else:
        messages.error(request, _("%(provider)s did not authorize the connection. Please try again.")
                       % {"provider": provider_label})
        logger.info("OAuth error from %s: %s", provider_label, error)
    return redirect(target)


@login_required
@require_POST
def xero_connect(request):
    require_manager(request)
    verifier, challenge = pkce_pair()
    uri = redirect_uri(request, "connections:xero_callback")
    state = statekit.stash(request, "xero", code_verifier=verifier, redirect_uri=uri,
                           organisation=str(current_organisation(request).pk), next=_next(request.POST.get("next")))
    return redirect(XeroAdapter().authorization_url(redirect_uri=uri, state=state, code_challenge=challenge))


@login_required
@require_GET
def xero_callback(request):
    require_manager(request)
    organisation = current_organisation(request)
    data = statekit.unstash(request, "xero", request.GET.get("state"))
    if request.GET.get("error"):
        return _cancelled_or_failed(request, data, request.GET["error"], request.GET.get("error_description", ""),
                                    "Xero")
    if data is None or data.get("organisation") != str(organisation.pk) or not request.GET.get("code"):
        messages.error(request, _("That Xero sign-in link has expired or was already used. Please connect again."))
        return redirect("connections:onboarding")
    adapter = XeroAdapter()
    try:
        token = adapter.exchange_code(code=request.GET["code"], redirect_uri=data["redirect_uri"],
                                      code_verifier=data["code_verifier"])
        added = services.complete_xero_consent(organisation=organisation, user=request.user, token=token,
                                               adapter=adapter)
    except ProviderError as error:
        logger.warning("Xero consent failed: %s", type(error).__name__)
        messages.error(request, _("Xero could not be connected: %(reason)s") % {"reason": error.message})
        return redirect(NEXT_PAGES[_next(data.get("next"))])
    if not added:
        messages.warning(request, _("Xero did not share any organisation with the portal. Please connect again "
                                    "and choose at least one organisation."))
        return redirect(NEXT_PAGES[_next(data.get("next"))])
    messages.success(request, _("Xero connected. Choose which organisations to sync."))
    return redirect(f"{reverse('connections:xero_organisations')}?next={_next(data.get('next'))}"
                    f"&added={','.join(str(o.pk) for o in added)}")


@login_required
@require_POST
def zoho_connect(request):
    require_manager(request)
    uri = redirect_uri(request, "connections:zoho_callback")
    state = statekit.stash(request, "zoho", redirect_uri=uri, organisation=str(current_organisation(request).pk),
                           next=_next(request.POST.get("next")))
    return redirect(ZohoAdapter().authorization_url(redirect_uri=uri, state=state))


@login_required
@require_GET
def zoho_callback(request):
    require_manager(request)
    organisation = current_organisation(request)
    data = statekit.unstash(request, "zoho", request.GET.get("state"))
    if request.GET.get("error"):
        return _cancelled_or_failed(request, data, request.GET["error"], request.GET.get("error_description", ""),
                                    "Zoho CRM")
    if data is None or data.get("organisation") != str(organisation.pk) or not request.GET.get("code"):
        messages.error(request, _("That Zoho sign-in link has expired or was already used. Please authorize again."))
        return redirect("connections:onboarding")
    adapter = ZohoAdapter()
    try:
        location = (request.GET.get("location") or "us").lower()
        accounts_server = adapter.checked_accounts_server(location, request.GET.get("accounts-server", ""))
        token = adapter.exchange_code(accounts_server=accounts_server, code=request.GET["code"],
                                      redirect_uri=data["redirect_uri"])
        connection = services.complete_zoho_consent(organisation=organisation, user=request.user, location=location,
                                                    accounts_server=accounts_server, token=token, adapter=adapter)
    except ProviderError as error:
        logger.warning("Zoho consent failed: %s", type(error).__name__)
        messages.error(request, _("Zoho CRM could not be connected: %(reason)s") % {"reason": error.message})
        return redirect(NEXT_PAGES[_next(data.get("next"))])
    messages.success(request, _("Zoho CRM %(name)s connected.") % {"name": connection})
    return redirect(NEXT_PAGES[_next(data.get("next"))])
