"""Connections to Xero and Zoho CRM: token sets, Xero organisations, the Zoho connection, terms, call counts.

Tokens are EncryptedTextFields (connections/fields.py): encrypted at rest, never logged or rendered.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned

from .fields import EncryptedTextField


class Status(models.TextChoices):
    ACTIVE = "active", _("Connected")
    RECONNECT_NEEDED = "reconnect_needed", _("Reconnect needed")


class Provider(models.TextChoices):
    XERO = "xero", _("Xero")
    ZOHO = "zoho", _("Zoho CRM")


class XeroTokenSet(TenantOwned):
    """One Xero consent (one Xero user's grant). It can reach several Xero organisations.

    Xero rotates refresh tokens on every use, so this row is the only copy: refresh it only through
    connections.providers.xero.tokens (row lock + save in the same transaction).
    """

    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True, default="")
    auth_event_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True, default="")
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("Xero token set")
        verbose_name_plural = _("Xero token sets")

    def __str__(self):
        return f"Xero token set {self.id}"

    def __repr__(self):  # never show tokens
        return f"<XeroTokenSet {self.id} {self.status}>"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class XeroOrganisation(TenantOwned):
    """A Xero organisation (tenant) reachable through a token set, synced with the portal's Zoho org.

    Contract for other apps: everything the portal keeps about syncing this Xero organisation (record
    links, watermarks, queued jobs, settings) must point here with a ForeignKey and
    on_delete=models.CASCADE. Resetting the connection (services.reset_xero_organisation) deletes this
    row, which erases those sync records; audit entries keep only the tenant id and name and stay.
    """

    token_set = models.ForeignKey(XeroTokenSet, on_delete=models.CASCADE, related_name="xero_organisations")
    tenant_id = models.CharField(max_length=64)
    tenant_name = models.CharField(max_length=255, blank=True, default="")
    tenant_type = models.CharField(max_length=32, blank=True, default="ORGANISATION")
    connection_id = models.CharField(max_length=64, blank=True, default="")
    selected = models.BooleanField(_("sync this organisation"), default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True, default="")
    last_successful_call_at = models.DateTimeField(null=True, blank=True)
    day_limit_remaining = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_name", "created_at"]
        verbose_name = _("Xero organisation")
        verbose_name_plural = _("Xero organisations")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "tenant_id"], name="unique_xero_tenant_per_organisation")
        ]

    def __str__(self):
        return self.tenant_name or self.tenant_id

    @property
    def needs_reconnect(self) -> bool:
        return self.status == Status.RECONNECT_NEEDED or self.token_set.status == Status.RECONNECT_NEEDED


class ZohoConnection(TenantOwned):
    """The portal organisation's one Zoho CRM connection, in the data centre Zoho told us (`location`).

    Contract for other apps: sync records that depend on the Zoho side FK here with on_delete=CASCADE;
    services.disconnect_zoho deletes this row.
    """

    location = models.CharField(max_length=8)
    accounts_server = models.URLField(max_length=255)
    api_domain = models.URLField(max_length=255)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True, default="")
    crm_org_id = models.CharField(max_length=64, blank=True, default="")
    crm_org_name = models.CharField(max_length=255, blank=True, default="")
    user_email = models.CharField(max_length=255, blank=True, default="")
    user_language = models.CharField(max_length=8, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True, default="")
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_successful_call_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Zoho connection")
        verbose_name_plural = _("Zoho connections")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="one_zoho_connection_per_organisation")]

    def __str__(self):
        return self.crm_org_name or f"Zoho ({self.location})"

    def __repr__(self):
        return f"<ZohoConnection {self.id} {self.location} {self.status}>"

    @property
    def scope_list(self) -> list[str]:
        return [scope for scope in self.scopes.replace(",", " ").split() if scope]

    @property
    def needs_reconnect(self) -> bool:
        return self.status == Status.RECONNECT_NEEDED


class TermsAcceptance(TenantOwned):
    """Who accepted which version of the Terms and Conditions, and when. No sync runs before one exists."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    version = models.CharField(max_length=32)
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("terms acceptance")
        verbose_name_plural = _("terms acceptances")


class ApiCallCounter(TenantOwned):
    """Calls made per provider, endpoint, provider organisation (Xero tenant id / Zoho org) and UTC day."""

    provider = models.CharField(max_length=8, choices=Provider.choices)
    external_id = models.CharField(max_length=64, blank=True, default="")
    endpoint = models.CharField(max_length=120)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "provider", "endpoint"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider", "external_id", "endpoint", "day"], name="unique_api_call_counter"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.endpoint} {self.day}: {self.count}"
