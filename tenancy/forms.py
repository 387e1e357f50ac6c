from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle
from .models import User

THROTTLED = "throttled"


def throttled_error(limit) -> forms.ValidationError:
    return forms.ValidationError(
        _("Too many attempts. For your security, wait %(minutes)s minutes, then try again."),
        code=THROTTLED, params={"minutes": limit.minutes})


class ThrottledSignInMixin:
    """Refuse a sign-in while its account or client address is locked out (tenancy/throttle.py), without
    checking the password; count each failure."""

    def limit(self):
        return throttle.sign_in()

    def clean(self):
        limit, account = self.limit(), self.data.get("username", "")
        if throttle.is_locked(limit, self.request, account):
            raise throttled_error(limit)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.count(limit, self.request, account)
            raise
        if self.get_user() is not None:  # signed in (a post without a password authenticates nobody)
            throttle.clear_account(limit, account)
        return cleaned


class ThrottledAuthenticationForm(ThrottledSignInMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledSignInMixin, AdminAuthenticationForm):
    def limit(self):
        return throttle.admin_sign_in()


class SignUpForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_email(self):
        # Whether the address has an account already is told by email only (tenancy/signup.py), never here.
        return self.cleaned_data["email"].lower()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=data.get("email", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class SwitchOrganisationForm(forms.Form):
    organisation = forms.UUIDField(widget=forms.HiddenInput)
