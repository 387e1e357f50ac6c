from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import signup, throttle
from .forms import (
    THROTTLED,
    LanguageForm,
    SignUpForm,
    SwitchOrganisationForm,
    ThrottledAuthenticationForm,
    throttled_error,
)
from .middleware import SESSION_ORGANISATION_KEY
from .models import Membership


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def sign_up(request):
    """The same answer whether or not the address has an account: "check your email" (tenancy/signup.py)."""
    if request.user.is_authenticated:
        return redirect("tenancy:home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        limit, email = throttle.sign_up(), form.cleaned_data["email"]
        if throttle.is_locked(limit, request, email):
            form.add_error(None, throttled_error(limit))
            status = 429
        else:
            throttle.count(limit, request, email)
            signup.request_sign_up(
                request,
                email=email,
                password=form.cleaned_data["password1"],
                organisation_name=form.cleaned_data["organisation_name"],
            )
            return redirect("tenancy:sign_up_sent")
    elif request.method == "POST":
        status = 400
    return render(request, "tenancy/sign_up.html", {"form": form}, status=status)


def sign_up_sent(request):
    return render(request, "tenancy/sign_up_sent.html")


def sign_up_confirm(request, uidb64, token):
    user = signup.confirm(uidb64, token)
    if user is None:
        return render(request, "tenancy/sign_up_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome! Your organisation is ready. Start by connecting Xero and Zoho CRM."))
    return redirect("connections:onboarding")


class SignInView(auth_views.LoginView):
    """Django's sign-in with the throttle: a locked-out account or address is answered 429."""

    form_class = ThrottledAuthenticationForm
    template_name = "tenancy/login.html"

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, THROTTLED):
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset (the same answer for any address) with the throttle: at most a few mails per
    account and per client address an hour."""

    def form_valid(self, form):
        limit, email = throttle.password_reset(), form.cleaned_data["email"]
        if throttle.is_locked(limit, self.request, email):
            form.add_error(None, throttled_error(limit))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        throttle.count(limit, self.request, email)
        return super().form_valid(form)


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
