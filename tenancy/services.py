"""Tenancy operations that views and commands share."""

from django.db import transaction

from .models import Membership, Organisation, Role, User


@transaction.atomic
def sign_up(*, email: str, password: str, organisation_name: str, language: str = "", active: bool = True) -> User:
    """Create a user and the organisation they own (inactive until the emailed link is opened: signup.py)."""
    user = User.objects.create_user(email=email, password=password, language=language, is_active=active)
    organisation = Organisation.objects.create(name=organisation_name)
    Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
    return user


@transaction.atomic
def ensure_demo(*, email: str, password: str, organisation_name: str) -> tuple[User, bool]:
    """Create (or reset the password of) the demo admin. Returns (user, created)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return sign_up(email=email, password=password, organisation_name=organisation_name), True
    user.set_password(password)
    user.save(update_fields=["password"])
    if not user.memberships.exists():
        organisation = Organisation.objects.create(name=organisation_name)
        Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
    return user, False
