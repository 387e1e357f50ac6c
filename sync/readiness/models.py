"""What the "Ready to sync" checklist remembers per Xero organisation: that the mapping was reviewed and a dry
run was looked at (the other items are read from what the mapping app saved). Imported by sync/models.py."""

from django.conf import settings
from django.db import models

from tenancy.models import TenantOwned


class SyncReadiness(TenantOwned):
    xero_organisation = models.OneToOneField(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="sync_readiness"
    )
    mapping_reviewed_at = models.DateTimeField(null=True, blank=True)
    mapping_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    dry_run_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"readiness of {self.xero_organisation_id}"
