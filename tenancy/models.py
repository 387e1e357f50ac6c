"""Tenants (organisations), their members and roles. Every tenant-owned model points at Organisation."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        """Sign-in matches the email address in any case (addresses are stored in lower case; an exact match
        wins should an older account differ only in case)."""
        users = list(self.filter(email__iexact=username.strip()).order_by("pk")[:10])
        for user in users:
            if user.email == username:
                return user
        if not users:
            raise self.model.DoesNotExist
        return users[0]

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address. `language` is the chosen UI language, blank = browser's."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = (self.email or "").lower()


class Organisation(models.Model):
    """A customer organisation: the tenant. It owns connections, mappings, sync records and audit entries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    READ_ONLY = "read_only", _("Read-only")


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ADMIN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership")]
        ordering = ["organisation__name"]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_manage(self) -> bool:
        """Owners and admins change configuration and start syncs; read-only members only look."""
        return self.role in (Role.OWNER, Role.ADMIN)


class TenantOwned(models.Model):
    """Base for every model a tenant owns. Address instances by `id` (UUID) through tenancy.access."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Lockout(models.Model):
    """The audit of throttling: one row each time an account or a client address was locked out of signing in,
    requesting password resets or signing up (tenancy/throttle.py)."""

    KINDS = [
        ("sign_in", _("Sign-in")),
        ("admin_sign_in", _("Admin sign-in")),
        ("password_reset", _("Password reset")),
        ("sign_up", _("Sign-up")),
    ]
    SCOPES = [("account", _("Account")), ("address", _("Client address"))]

    created_at = models.DateTimeField(_("locked at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    scope = models.CharField(_("locked by"), max_length=10, choices=SCOPES)
    account = models.CharField(_("account"), max_length=254, blank=True)
    address = models.CharField(_("client address"), max_length=64)
    attempts = models.PositiveIntegerField(_("attempts"))
    window_seconds = models.PositiveIntegerField(_("window (seconds)"))
    path = models.CharField(_("path"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lockout")
        verbose_name_plural = _("lockouts")

    def __str__(self):
        return f"{self.kind} lockout of {self.account or self.address} ({self.scope})"
