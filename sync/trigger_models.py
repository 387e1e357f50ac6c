"""What the sync triggers keep (issue 7): Zoho notification channels, signed button keys, cron watermarks and
the per-organisation cron claim, and historical jobs with a checkpoint per record.

Imported at the end of sync/models.py so Django registers them in the sync app.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connections.fields import EncryptedTextField
from tenancy.models import TenantOwned


def new_channel_id() -> int:
    """Zoho channel ids are longs chosen by the caller: a random positive 62-bit number."""
    return secrets.randbits(62) or 1


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class ZohoChannel(TenantOwned):
    """The portal organisation's Zoho watch channel (one per Zoho connection): its events and expiry.

    `token` is sent to Zoho on registration and comes back in every notification; it is a secret (encrypted
    at rest, never logged or rendered)."""

    zoho_connection = models.OneToOneField(
        "connections.ZohoConnection", on_delete=models.CASCADE, related_name="sync_channel"
    )
    channel_id = models.BigIntegerField(unique=True, default=new_channel_id)
    token = EncryptedTextField()
    events = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    registered = models.BooleanField(default=False)
    last_error = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"channel {self.channel_id}"

    def __repr__(self):  # never show the token
        return f"<ZohoChannel {self.channel_id} {self.events}>"


class ButtonKey(TenantOwned):
    """A per-organisation key behind the signed tokens of the Copy to Xero button and the Zoho workflow
    webhook URL. Regenerating the nonce revokes every URL given out before."""

    COPY = "copy"
    WORKFLOW = "workflow"
    PURPOSES = ((COPY, _("Copy to Xero button")), (WORKFLOW, _("Zoho workflow webhook")))

    purpose = models.CharField(max_length=16, choices=PURPOSES)
    nonce = models.CharField(max_length=32, default=new_nonce)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "purpose"], name="sync_button_key_unique")]

    def __str__(self):
        return f"{self.purpose} key of {self.organisation_id}"


class Watermark(TenantOwned):
    """Up to when the cron has read one module in one direction of one Xero organisation."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="sync_watermarks"
    )
    module = models.CharField(max_length=32)
    direction = models.CharField(max_length=16)
    since = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "module", "direction"], name="sync_watermark_unique")
        ]

    def __str__(self):
        return f"{self.module} {self.direction} since {self.since}"


class CronClaim(TenantOwned):
    """One row per portal organisation: the atomic claim that keeps two cron runs from overlapping."""

    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="sync_cron_claim_unique")]

    def __str__(self):
        return f"cron claim of {self.organisation_id}"


class JobStatus(models.TextChoices):
    PLANNING = "planning", _("Dry run in progress")
    PLANNED = "planned", _("Dry run finished")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class HistoricalJob(TenantOwned):
    """A historical sync of some modules of one Xero organisation in one direction.

    First a dry run lists the source records page by page into items (with what would happen to each), then
    the job processes the pending items chunk by chunk; every chunk commits its items' outcomes, so a job
    resumes where it stopped."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="historical_jobs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    modules = models.JSONField(default=list)
    direction = models.CharField(max_length=16)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    resync_all = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PLANNING)
    planned_modules = models.JSONField(default=list, blank=True)  # modules whose dry run is complete
    dry_run = models.JSONField(default=dict, blank=True)  # {module: {"create": n, ..., "reasons": {...}}}
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    current_run = models.ForeignKey("sync.SyncRun", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # Set while a provider fails and the job waits to retry (cleared by the next chunk that succeeds).
    problem = models.CharField(max_length=16, blank=True, default="")  # a sync.models.RunProblem value
    problem_provider = models.CharField(max_length=8, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    # Zoho's answer when it refused the bulk read of invoice line items: the job reads invoices by id instead
    # (sync.zoho_lines); empty while the bulk path works.
    line_fallback = models.TextField(blank=True, default="")
    # {module: the newest modification time of the source records the dry run read}: on start and resume, only
    # records changed since are read again (their items' snapshots replaced); `snapshots_checked` is cleared
    # by start and resume and set once that check is done.
    snapshot_marks = models.JSONField(default=dict, blank=True)
    snapshots_checked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_until"], name="sync_hjob_status_lease")]

    def __str__(self):
        return f"historical {self.direction} {self.modules} {self.status}"

    @property
    def module_labels(self) -> list:
        from .models import MODULE_LABELS

        return [MODULE_LABELS.get(module, module) for module in self.modules]

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, int(self.processed * 100 / self.total))


class HistoricalItemState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class HistoricalItem(models.Model):
    """One source record of a historical job: what the dry run expects, then what happened."""

    job = models.ForeignKey(HistoricalJob, on_delete=models.CASCADE, related_name="items")
    module = models.CharField(max_length=32)
    source_id = models.CharField(max_length=64)
    planned = models.CharField(max_length=16, blank=True, default="")
    state = models.CharField(max_length=16, choices=HistoricalItemState.choices, default=HistoricalItemState.PENDING)
    # The source record as the dry run read it (what the job writes from); None: read it by id when its chunk runs.
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "module", "source_id"], name="sync_hitem_unique")]
        indexes = [models.Index(fields=["job", "state", "module"], name="sync_hitem_job_state")]

    def __str__(self):
        return f"{self.module} {self.source_id} {self.state}"
