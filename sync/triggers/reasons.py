"""Messages of the triggers (untranslated msgids; translated where shown). Dry-run reasons are grouped by these
keys or by the engine's own message keys (sync.engine.messages)."""

from django.utils.translation import gettext_noop

ALREADY_SYNCED = gettext_noop("Already synced (tick Re-sync all to sync it again).")
DELETED_AT_SOURCE = gettext_noop("Archived, voided or deleted at the source: not copied by a historical sync.")
AFTER_DEPENDENCIES = gettext_noop("Will be created after its account and products, which this job syncs first.")
UNCHANGED = gettext_noop("Unchanged since the last sync.")
REFUSED = gettext_noop("Refused.")

COPY_NOT_FOUND = gettext_noop(
    "No Zoho CRM record with the id %(record_id)s was found in %(module)s. Check that the record still exists in "
    "Zoho CRM, then copy it again."
)
COPY_NOT_READY = gettext_noop(
    "Not copied: the connections are not ready, or Allow Sync is off for this module in Settings. Connect both "
    "sides or switch Allow Sync on, then copy it again."
)
COPY_NO_XERO = gettext_noop(
    "Not copied: no Xero organisation is selected for sync. Choose one on the Connections page, then copy it again."
)
