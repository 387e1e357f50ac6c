"""Connection pages: the onboarding wizard, the connection page, the Xero organisation picker, terms,
Reset Connection and Disconnect Zoho. Read-only members see; owners and admins change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tenancy.access import current_organisation, require_manager, scoped, tenant_object_or_404

from . import conf, services
from .counters import xero_calls_today
from .forms import ConfirmForm, XeroOrganisationsForm
from .models import TermsAcceptance, XeroOrganisation
from .oauth_views import NEXT_PAGES, _next
from .providers.zoho.adapter import DATA_CENTRES


def _state(request) -> dict:
    organisation = current_organisation(request)
    xero_organisations = list(services.xero_organisations(organisation))
    for xero_organisation in xero_organisations:
        xero_organisation.calls_today = xero_calls_today(xero_organisation)
    zoho = services.zoho_connection(organisation)
    return {
        "xero_organisations": xero_organisations,
        "selected_names": [o.tenant_name for o in xero_organisations if o.selected],
        "zoho": zoho,
        "zoho_dc": DATA_CENTRES.get(zoho.location) if zoho else None,
        "terms_accepted": services.terms_accepted(organisation),
        "can_manage": bool(request.membership and request.membership.can_manage),
        "xero_daily_limit": conf.get("XERO_DAILY_LIMIT"),
    }


@login_required
def index(request):
    return render(request, "connections/index.html", _state(request))


@login_required
def onboarding(request):
    context = _state(request)
    zoho = context["zoho"]
    context["offer_language"] = (
        zoho.user_language if zoho and zoho.user_language and not request.user.language else ""
    )
    context["ready_for_terms"] = bool(context["selected_names"]) and zoho is not None
    context["draft_pending"] = _draft_pending(request, context["xero_organisations"])
    return render(request, "connections/onboarding.html", context)


DRAFT_KEY = "connections:xero_choice_draft"


def _draft_choice(request, candidates) -> list[str]:
    """The choice to show: organisations just added by a consent are ticked, and that unsaved choice is kept in
    the session as a draft, so leaving the page and coming back shows it again until it is saved."""
    known = {str(o.pk) for o in candidates}
    added = {i for i in (request.GET.get("added") or "").split(",") if i in known}
    if added:
        draft = sorted({str(o.pk) for o in candidates if o.selected} | added)
        request.session[DRAFT_KEY] = draft
        return draft
    draft = [i for i in request.session.get(DRAFT_KEY) or [] if i in known]
    return draft or [str(o.pk) for o in candidates if o.selected]


def _draft_pending(request, candidates) -> bool:
    draft = set(request.session.get(DRAFT_KEY) or [])
    return bool(draft) and draft != {str(o.pk) for o in candidates if o.selected}


@login_required
def xero_organisations(request):
    organisation = current_organisation(request)
    candidates = list(services.xero_organisations(organisation))
    next_page = _next(request.GET.get("next") or request.POST.get("next"))
    autosave = request.headers.get("HX-Request") == "true"
    status = 200
    saved = False
    if request.method == "POST":
        require_manager(request)
        form = XeroOrganisationsForm(request.POST, xero_organisations=candidates)
        if form.is_valid():
            services.choose_xero_organisations(organisation, form.cleaned_data["organisations"])
            request.session.pop(DRAFT_KEY, None)
            if not autosave:
                messages.success(request, _("Your choice of Xero organisations was saved."))
                return redirect(NEXT_PAGES[next_page])
            saved = True
        elif not autosave:  # htmx swaps only 2xx answers: the refused form comes back with 200 and its reason
            status = 400
    else:
        initial = _draft_choice(request, candidates)
        form = XeroOrganisationsForm(initial={"organisations": initial}, xero_organisations=candidates)
    context = {"form": form, "next": next_page, "xero_organisations": candidates, "saved": saved,
               "draft_pending": request.method == "GET" and _draft_pending(request, candidates),
               "can_manage": request.membership.can_manage}
    # Ticking a box saves at once (htmx swaps the form back with "saved" or the reason it was refused), so
    # leaving the page never loses the choice; without JavaScript the Save button does the same.
    template = "connections/_xero_organisations_form.html" if autosave else "connections/xero_organisations.html"
    return render(request, template, context, status=status)


@login_required
def terms(request):
    organisation = current_organisation(request)
    if request.method == "POST":
        require_manager(request)
        services.accept_terms(organisation, request.user)
        messages.success(request, _("Thank you. The Terms and Conditions are accepted. Nothing syncs until you "
                                    "start it: go through the checklist below."))
        return redirect("sync:ready")
    acceptance = scoped(request, TermsAcceptance).filter(version=conf.get("TERMS_VERSION")).first()
    return render(request, "connections/terms.html",
                  {"acceptance": acceptance, "version": conf.get("TERMS_VERSION"),
                   "can_manage": request.membership.can_manage})


@login_required
def reset_xero(request, pk):
    xero_organisation = tenant_object_or_404(request, XeroOrganisation.objects.select_related("token_set"), pk=pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        require_manager(request)
        if form.is_valid():
            name = str(xero_organisation)
            services.reset_xero_organisation(xero_organisation, user=request.user)
            messages.success(request, _("%(name)s was disconnected and its sync records were erased.")
                             % {"name": name})
            return redirect("connections:index")
    return render(request, "connections/reset_xero.html", {"xero_organisation": xero_organisation, "form": form,
                                                           "can_manage": request.membership.can_manage})


@login_required
def disconnect_zoho(request):
    organisation = current_organisation(request)
    connection = services.zoho_connection(organisation)
    if connection is None:
        messages.info(request, _("Zoho CRM is not connected."))
        return redirect("connections:index")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        require_manager(request)
        if form.is_valid():
            services.disconnect_zoho(connection, user=request.user)
            messages.success(request, _("Zoho CRM was disconnected."))
            return redirect("connections:index")
    return render(request, "connections/disconnect_zoho.html", {"connection": connection, "form": form,
                                                                "can_manage": request.membership.can_manage})
