from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import LanguageForm, SignUpForm, SwitchOrganisationForm
from .middleware import SESSION_ORGANISATION_KEY
from .models import Membership


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("tenancy:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            organisation_name=form.cleaned_data["organisation_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your organisation is ready. Start by connecting Xero and Zoho CRM."))
        return redirect("connections:onboarding")
    return render(request, "tenancy/sign_up.html", {"form": form})


@require_POST
def set_language(request):
    """Store the chosen language on the user (and in a cookie for signed-out visitors)."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_safe_next(request, request.META.get("HTTP_REFERER") or "/"))
    if not url_has_allowed_host_and_scheme(response.url, allowed_hosts={request.get_host()}):
        response = HttpResponseRedirect("/")
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
        messages.success(request, _("Language updated."))
    return response


@login_required
@require_POST
def switch_organisation(request):
    form = SwitchOrganisationForm(request.POST)
    if form.is_valid():
        membership = (
            Membership.objects.filter(user=request.user, organisation_id=form.cleaned_data["organisation"])
            .select_related("organisation")
            .first()
        )
        if membership is not None:
            request.session[SESSION_ORGANISATION_KEY] = str(membership.organisation_id)
            messages.success(request, _("Switched to %(name)s.") % {"name": membership.organisation.name})
            return redirect("tenancy:home")
    messages.error(request, _("You are not a member of that organisation."))
    return redirect("tenancy:home")
