"""Audit entries: one per record the portal attempted to sync, and per notable connection event."""

import uuid

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organisation

# Parameters whose values are themselves message ids (labels such as a matching rule, a conflict policy,
# a record status or a provider name), translated with the message. Names and ids are never translated.
# A field is stored by its label (sync.labels): Zoho's own label (no msgid, shown as it is) or the portal's label
# of a Xero field (a msgid).
TRANSLATED_PARAMS = frozenset({"rule", "policy", "status", "dependency", "source", "target", "module", "kind",
                               "field"})


def translate_message(message_key: str, message_params: dict | None, message: str) -> str:
    """An audit message in the active language; the stored English `message` when it cannot be built."""
    if not message_key:
        return message
    message_params = dict(message_params or {})
    if isinstance(message_params.get("reason"), str) and message_params["reason"]:
        nested = {key.partition(":")[2]: value for key, value in message_params.items() if key.startswith("reason:")}
        message_params["reason"] = translate_message(message_params["reason"], nested, "")
    params = {
        key: _translated_param(key, value) if key in TRANSLATED_PARAMS and isinstance(value, str) and value else value
        for key, value in (message_params or {}).items()
    }
    try:
        return gettext(message_key) % params
    except (KeyError, TypeError, ValueError):
        return message


def _translated_param(key: str, value: str) -> str:
    if key == "module" and value in Module.values:  # a module key ("accounts") rather than its label
        return str(Module(value).label)
    return gettext(value)


class Module(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    PRODUCTS = "products", _("Products")
    INVOICES = "invoices", _("Invoices")
    XERO_ACCOUNTS = "xero_accounts", _("Xero Accounts")
    CONNECTION = "connection", _("Connection")


class Direction(models.TextChoices):
    ZOHO_TO_XERO = "zoho_to_xero", _("Zoho → Xero")
    XERO_TO_ZOHO = "xero_to_zoho", _("Xero → Zoho")
    NONE = "none", _("—")


class Trigger(models.TextChoices):
    ON_SAVE = "on_save", _("On save")
    COPY = "copy", _("Copy to Xero")
    HISTORICAL = "historical", _("Historical")
    CRON = "cron", _("Cron")
    WEBHOOK = "webhook", _("Webhook")
    RESYNC = "resync", _("Resync")
    SYSTEM = "system", _("System")


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    MATCH = "match", _("Match")
    SKIP = "skip", _("Skip")
    CONNECT = "connect", _("Connect")
    DISCONNECT = "disconnect", _("Disconnect")
    REFRESH = "refresh", _("Token refresh")


class Status(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class AuditEntry(models.Model):
    """What happened to one record (or connection), and what to fix when it failed.

    `message_key` is an untranslated message id (marked with gettext_noop where it is written) and
    `message_params` its %-parameters, so the entry is shown in the reader's language; `message` holds the
    English text for search and export.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_entries")
    xero_tenant_id = models.CharField(max_length=64, blank=True, default="")
    xero_tenant_name = models.CharField(max_length=255, blank=True, default="")
    module = models.CharField(max_length=32, choices=Module.choices)
    record_name = models.CharField(max_length=255, blank=True, default="")
    zoho_id = models.CharField(max_length=64, blank=True, default="")
    xero_id = models.CharField(max_length=64, blank=True, default="")
    direction = models.CharField(max_length=16, choices=Direction.choices, default=Direction.NONE)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.SYSTEM)
    action = models.CharField(max_length=16, choices=Action.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    message_key = models.TextField(blank=True, default="")
    message_params = models.JSONField(blank=True, default=dict)
    message = models.TextField(blank=True, default="")
    provider_error_code = models.CharField(max_length=100, blank=True, default="")
    provider_error = models.TextField(blank=True, default="")
    values_written = models.JSONField(blank=True, null=True)
    provider_response = models.JSONField(blank=True, null=True)
    resync_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resyncs")
    # No index of its own: every query is tenant-scoped, and a lone created_at index (perfectly correlated with
    # the table's order) tempts PostgreSQL to walk every tenant's rows; the indexes below lead with organisation.
    created_at = models.DateTimeField(auto_now_add=True)
    # A refusal is reported once: the same record refused again for the same reason (sync.failures) updates its
    # entry ("still refused, last checked ...") instead of adding one. None: checked only when it was created.
    last_checked_at = models.DateTimeField(null=True, blank=True)
    checks = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="audit_org_created"),
            models.Index(fields=["organisation", "status", "-created_at"], name="audit_org_status_created"),
            models.Index(fields=["organisation", "module", "-created_at"], name="audit_org_module_created"),
            models.Index(fields=["organisation", "zoho_id"], name="audit_org_zoho_id"),
            models.Index(fields=["organisation", "xero_id"], name="audit_org_xero_id"),
            models.Index(fields=["organisation", "direction", "-created_at"], name="audit_org_direction_created"),
            models.Index(fields=["organisation", "trigger", "-created_at"], name="audit_org_trigger_created"),
            models.Index(fields=["organisation", "record_name"], name="audit_org_record_name"),
            models.Index(fields=["organisation", "xero_tenant_id", "-created_at"], name="audit_org_tenant_created"),
        ]
        # On PostgreSQL, migration 0003 adds trigram (GIN) indexes for the search box: see that migration.

    def __str__(self):
        return f"{self.module} {self.record_name} {self.status}"

    @property
    def translated_message(self) -> str:
        """The message in the active language (falls back to the stored English text)."""
        return translate_message(self.message_key, self.message_params, self.message)


class AlertState(models.Model):
    """When an alert of one kind was last emailed to an organisation: the claim that sends it at most once
    per window, even with several workers (a conditional UPDATE, see audit.alerts)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=150)
    last_sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="audit_alert_state_unique")]

    def __str__(self):
        return f"{self.kind} @ {self.organisation_id}: {self.last_sent_at:%Y-%m-%d %H:%M}"


class ResyncStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_RESYNC_STATUSES = (ResyncStatus.QUEUED, ResyncStatus.RUNNING)


class ResyncBatch(models.Model):
    """One press of "Resync all failed": the filters it applies to and how far the walk has come.

    The walk goes newest first through the matching failed entries created before the press, one chunk per
    step; `cursor` holds the (created_at, id) of the last entry scanned, so each step is claimed by matching it
    under a row lock (a duplicate delivery of an old step finds the cursor moved and does nothing)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey("tenancy.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filters = models.JSONField(blank=True, default=dict)
    status = models.CharField(max_length=16, choices=ResyncStatus.choices, default=ResyncStatus.QUEUED)
    cursor = models.CharField(max_length=200, blank=True, default="")
    scanned = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    limit_reached = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"resync batch {self.pk} ({self.status}, {self.queued} queued)"


class ResyncRequest(models.Model):
    """One resync asked for (by the Resync button or a batch): the marker a task claims, so a duplicate
    delivery of the same request never resyncs twice. `record_key` names the record (Xero organisation,
    module, direction, source id) so one record is never queued twice at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="resync_requests")
    batch = models.ForeignKey(ResyncBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="requests")
    record_key = models.CharField(max_length=300)
    requested_by = models.ForeignKey("tenancy.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=ResyncStatus.choices, default=ResyncStatus.QUEUED)
    result = models.ForeignKey(AuditEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "record_key", "status"], name="audit_resync_org_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(status__in=["queued", "running"]), name="audit_resync_one_active"
            ),
            models.UniqueConstraint(fields=["batch", "record_key"], name="audit_resync_once_per_batch"),
        ]

    def __str__(self):
        return f"resync {self.record_key} ({self.status})"
