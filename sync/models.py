"""What the sync keeps: settings per Xero organisation and module, record links, and checkpointed runs.

Every per-Xero-organisation row points at connections.XeroOrganisation with on_delete=CASCADE, so resetting
a connection erases its links, settings and queued runs (audit entries stay).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned

from .engine.modules import MODULE_ORDER

SYNCED_MODULES = MODULE_ORDER  # the one ordered tuple of synced modules (sync.engine.modules)
MODULE_LABELS = {
    "accounts": _("Accounts"),
    "contacts": _("Contacts"),
    "products": _("Products"),
    "invoices": _("Invoices"),
}


class ConflictPolicy(models.TextChoices):
    ZOHO_WINS = "zoho_wins", _("Zoho CRM wins")
    XERO_WINS = "xero_wins", _("Xero wins")
    MOST_RECENT = "most_recent", _("Most recent change wins")


class OrganisationSyncSettings(TenantOwned):
    """Settings of the whole portal organisation (all its Xero organisations)."""

    on_save_sync = models.BooleanField(_("On Save Sync"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="sync_one_settings_per_organisation")]
        verbose_name = _("organisation sync settings")
        verbose_name_plural = _("organisation sync settings")

    def __str__(self):
        return f"sync settings of {self.organisation_id}"


class ModuleSettings(TenantOwned):
    """How one module syncs with one Xero organisation.

    Everything is off for a newly connected organisation: nothing is written to Zoho CRM or Xero until an admin
    presses "Start syncing" for a module and direction (sync.readiness), or ticks the switches on Settings."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="sync_module_settings"
    )
    module = models.CharField(max_length=32)
    allow_sync = models.BooleanField(_("Allow Sync"), default=False)
    cron = models.BooleanField(_("Cron Sync"), default=False)
    conflict_policy = models.CharField(
        _("Conflict policy"), max_length=16, choices=ConflictPolicy.choices, default=ConflictPolicy.MOST_RECENT
    )
    zoho_to_xero_create = models.BooleanField(default=False)
    zoho_to_xero_update = models.BooleanField(default=False)
    zoho_to_xero_delete = models.BooleanField(default=False)
    xero_to_zoho_create = models.BooleanField(default=False)
    xero_to_zoho_update = models.BooleanField(default=False)
    xero_to_zoho_delete = models.BooleanField(default=False)
    # When Delete was last switched on for each direction (None: off, or on since before this was recorded).
    # Deletes are never retroactive: a deletion older than this is reported, never applied (sync.engine.deletes).
    zoho_to_xero_delete_on_at = models.DateTimeField(null=True, blank=True, editable=False)
    xero_to_zoho_delete_on_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module"]
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "module"], name="sync_module_settings_unique")
        ]

    def __str__(self):
        return f"{self.module} @ {self.xero_organisation_id}"

    def allows(self, direction: str, action: str) -> bool:
        """Whether `action` (create/update/delete) is switched on for `direction` (zoho_to_xero/xero_to_zoho)."""
        return self.allow_sync and bool(getattr(self, f"{direction}_{action}"))

    def delete_on_since(self, direction: str):
        """Since when Delete has been on for `direction` (None: off, or since before this was recorded)."""
        return getattr(self, f"{direction}_delete_on_at") if self.allows(direction, "delete") else None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_deletes = {d: getattr(instance, f"{d}_delete", None) for d in ("zoho_to_xero", "xero_to_zoho")}
        return instance

    def save(self, *args, **kwargs):
        """Stamp the moment each direction's Delete switch goes on (and forget it when it goes off)."""
        loaded = getattr(self, "_loaded_deletes", {})
        now = timezone.now()
        for direction in ("zoho_to_xero", "xero_to_zoho"):
            on = bool(getattr(self, f"{direction}_delete"))
            if on and not loaded.get(direction):
                setattr(self, f"{direction}_delete_on_at", now)
            elif not on:
                setattr(self, f"{direction}_delete_on_at", None)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "zoho_to_xero_delete_on_at", "xero_to_zoho_delete_on_at"}
        super().save(*args, **kwargs)
        self._loaded_deletes = {d: bool(getattr(self, f"{d}_delete")) for d in ("zoho_to_xero", "xero_to_zoho")}

    def started(self, direction: str) -> bool:
        """Whether this module writes anything in `direction` (Allow Sync and Create or Update on)."""
        return self.allows(direction, "create") or self.allows(direction, "update")


class RoutingMode(models.TextChoices):
    ZOHO_RECORDS = "zoho_records", _("Records created in Zoho CRM (not those that came from another Xero organisation)")
    ALL = "all", _("Every record, including those that came from another Xero organisation")
    FIELD = "field", _("Only records whose chosen Zoho CRM field has the chosen value")
    NONE = "none", _("No new records (only keep linked records up to date)")


class ZohoRouting(TenantOwned):
    """Which new Zoho CRM records one Xero organisation takes (Zoho -> Xero creates; see the `sync` package
    docstring). Records already linked to this organisation, and records matched to an existing Xero record,
    are not affected. Without a row: ZOHO_RECORDS (safe by default)."""

    xero_organisation = models.OneToOneField(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="sync_routing"
    )
    mode = models.CharField(
        _("New Zoho CRM records go to this organisation"), max_length=16, choices=RoutingMode.choices,
        default=RoutingMode.ZOHO_RECORDS,
    )
    zoho_field = models.CharField(_("Zoho CRM account field"), max_length=100, blank=True, default="")
    value = models.CharField(_("Value"), max_length=255, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"routing of {self.xero_organisation_id}: {self.mode}"


class LinkState(models.TextChoices):
    LINKED = "linked", _("Linked")
    DELETED = "deleted", _("Deleted")
    FAILED = "failed", _("Failed")


class RecordLink(TenantOwned):
    """One Zoho record linked to one Xero record in one Xero organisation.

    The fingerprints are hashes of mapped values (sync.engine.fingerprint): `zoho_fingerprint` of the Zoho
    record projected to Xero (what Zoho said last time we looked or wrote), `xero_fingerprint` of the Xero record
    projected to Zoho. The modification times are the ones the providers gave for the last version we saw or
    wrote, so our own writes coming back are recognised (no echo).
    """

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="record_links"
    )
    module = models.CharField(max_length=32)
    zoho_id = models.CharField(max_length=64)
    xero_id = models.CharField(max_length=64)
    xero_code = models.CharField(max_length=255, blank=True, default="")  # Item Code, Invoice Number
    name = models.CharField(max_length=255, blank=True, default="")
    zoho_fingerprint = models.CharField(max_length=64, blank=True, default="")
    xero_fingerprint = models.CharField(max_length=64, blank=True, default="")
    zoho_modified_at = models.CharField(max_length=64, blank=True, default="")
    xero_modified_at = models.CharField(max_length=64, blank=True, default="")
    state = models.CharField(max_length=16, choices=LinkState.choices, default=LinkState.LINKED)
    matched_by = models.CharField(max_length=32, blank=True, default="")
    # The side on which the portal created the record ("zoho": this Xero organisation's record was copied into
    # Zoho, so this organisation owns that Zoho record; "xero": the reverse; "": the records were matched).
    created_side = models.CharField(max_length=8, blank=True, default="")
    last_direction = models.CharField(max_length=16, blank=True, default="")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["module", "name"]
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "module", "zoho_id"], name="sync_link_unique_zoho_id"),
            models.UniqueConstraint(fields=["xero_organisation", "module", "xero_id"], name="sync_link_unique_xero_id"),
        ]

    def __str__(self):
        return f"{self.module} {self.zoho_id} <-> {self.xero_id}"


class SyncLock(models.Model):
    """The module lock of `runs.module_lock` when the cache is not shared between processes (no Redis): a lease
    (holder, until) taken with a conditional UPDATE, and a generation counted up by every release."""

    key = models.CharField(max_length=200, unique=True)
    holder = models.CharField(max_length=64, blank=True, default="")
    until = models.DateTimeField(null=True, blank=True)
    generation = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return self.key


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class RunProblem(models.TextChoices):
    """Why a run (or a historical job) is waiting to retry, or why it stopped."""

    UNREACHABLE = "unreachable", _("The provider could not be reached")
    RATE_LIMITED = "rate_limited", _("The provider's rate limit was reached")
    REFUSED = "refused", _("The provider refused the request")
    REVOKED = "revoked", _("The access was revoked")
    STALLED = "stalled", _("The worker stopped responding")
    CANCELLED = "cancelled", _("Cancelled by a member")


class SyncRun(TenantOwned):
    """One sync of one module in one direction: the checkpoint a worker resumes after a crash.

    Its items are collected once (`collected`), then processed in chunks; each chunk's writes, links, audit
    entries and item states are committed together, so a killed worker loses nothing and a replay finds the
    records it already wrote (matching, idempotency keys) instead of writing them twice.
    """

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="sync_runs"
    )
    module = models.CharField(max_length=32)
    direction = models.CharField(max_length=16)
    trigger = models.CharField(max_length=16)
    requested_ids = models.JSONField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    include_deletes = models.BooleanField(default=True)
    resync_of = models.ForeignKey("audit.AuditEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    collected = models.BooleanField(default=False)
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    # The Celery task that created the run (and its part of the task's work): a retry of that task resumes this
    # run instead of creating another (sync/triggers/tasks.py).
    origin = models.CharField(max_length=160, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)  # failed attempts since the last progress
    problem = models.CharField(max_length=16, blank=True, default="", choices=RunProblem.choices)
    problem_provider = models.CharField(max_length=8, blank=True, default="")  # "zoho", "xero" or "sync"
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["xero_organisation", "status"], name="sync_run_org_status"),
                   models.Index(fields=["organisation", "status"], name="sync_run_tenant_status")]
        constraints = [models.UniqueConstraint(fields=["origin"], condition=~models.Q(origin=""),
                                               name="sync_run_unique_origin")]

    def __str__(self):
        return f"{self.module} {self.direction} {self.status}"


class ItemState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SyncItem(models.Model):
    """One source record of a run (or a deletion seen at the source), with its outcome once processed."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="items")
    source_id = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    snapshot = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=ItemState.choices, default=ItemState.PENDING)
    action = models.CharField(max_length=16, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "source_id"], name="sync_item_unique_source")]
        indexes = [models.Index(fields=["run", "state"], name="sync_item_run_state")]

    def __str__(self):
        return f"{self.source_id} {self.state}"


# Issue 7 (sync triggers): their models live in sync/trigger_models.py.
from .readiness.models import SyncReadiness  # noqa: E402,F401
from .trigger_models import (  # noqa: E402,F401
    ButtonKey,
    CronClaim,
    HistoricalItem,
    HistoricalJob,
    Watermark,
    ZohoChannel,
)
