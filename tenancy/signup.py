"""Sign-up confirmed by email. The page answers the same whether or not the address has an account, so nobody
learns which addresses are registered: a new address gets an inactive account and a confirmation link; an
address with an account gets a note saying so (with the sign-in and password-reset links) instead."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from . import services
from .models import Role, User


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token (same lifetime, PASSWORD_RESET_TIMEOUT), but its own salt, and void once
    the account is active."""

    key_salt = "tenancy.signup.SignUpTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{timestamp}"


token_generator = SignUpTokenGenerator()


def _pending(user) -> bool:
    """Signed up but never confirmed (a deactivated account has signed in before and stays deactivated)."""
    return not user.is_active and user.last_login is None


def _send(request, user, template: str, context: dict) -> None:
    subject = render_to_string("tenancy/sign_up_subject.txt", context).strip()
    body = render_to_string(template, {**context, "sign_in_url": request.build_absolute_uri(reverse("tenancy:login")),
                                       "reset_url": request.build_absolute_uri(reverse("tenancy:password_reset"))})
    send_mail(subject, body, None, [user.email])


def request_sign_up(request, *, email: str, password: str, organisation_name: str, language: str = "") -> None:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not _pending(user):
        make_password(password)  # the same work as for a new account, so the answer takes as long
        _send(request, user, "tenancy/sign_up_exists_email.txt", {"user": user})
        return
    with transaction.atomic():
        if user is None:
            user = services.sign_up(email=email, password=password, organisation_name=organisation_name,
                                    language=language, active=False)
        else:  # signed up again before confirming: the latest password and organisation name count
            user.set_password(password)
            user.save(update_fields=["password"])
            membership = user.memberships.filter(role=Role.OWNER).select_related("organisation").first()
            if membership is not None:
                membership.organisation.name = organisation_name
                membership.organisation.save(update_fields=["name"])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(reverse("tenancy:sign_up_confirm", args=[uid, token_generator.make_token(user)]))
    _send(request, user, "tenancy/sign_up_confirm_email.txt", {"user": user, "confirm_url": link})


def confirm(uidb64: str, token: str) -> User | None:
    """Activate the account the link names; None when the link is malformed, used or expired."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not _pending(user) or not token_generator.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
