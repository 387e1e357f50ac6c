"""Writing audit entries. Every sync attempt and connection event goes through `record`."""

import datetime

from django.conf import settings
from django.utils import timezone, translation

from tenancy.models import Organisation

from .models import AuditEntry, translate_message


def record(
    *,
    organisation,
    module: str,
    action: str,
    status: str,
    message_key: str = "",
    message_params: dict | None = None,
    **fields,
) -> AuditEntry:
    """Write one audit entry. `message_key` is an untranslated msgid (use gettext_noop at the call site)."""
    entry = build(organisation=organisation, module=module, action=action, status=status, message_key=message_key,
                  message_params=message_params, **fields)
    entry.save(force_insert=True)
    return entry


def build(*, organisation, module: str, action: str, status: str, message_key: str = "",
          message_params: dict | None = None, **fields) -> AuditEntry:
    """The entry `record` writes, unsaved: for `record_many`."""
    params = message_params or {}
    # The stored English text (the fallback when a message cannot be built in the reader's language): built as
    # the pages build it, so a reason carried inside another message is written out, not left as "%(tax)s".
    with translation.override("en"):
        message = translate_message(message_key, params, message_key) if message_key else ""
    return AuditEntry(organisation=organisation, module=module, action=action, status=status,
                      message_key=message_key, message_params=params, message=message, **fields)


def record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Write entries built with `build` in one INSERT per 500 (a sync chunk's entries at its checkpoint)."""
    return AuditEntry.objects.bulk_create(entries, batch_size=500) if entries else []


def purge_expired_entries(*, days: int | None = None, batch_size: int = 5000, now=None) -> int:
    """Delete entries older than `days` (settings.AUDIT_RETENTION_DAYS) in batches; returns how many.

    One organisation at a time, along its (organisation, created_at) index; small batches keep each DELETE
    short, so the table stays writable for the sync while it runs.
    """
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted = 0
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        expired = AuditEntry.objects.filter(organisation_id=organisation_id, created_at__lt=cutoff)
        while batch := list(expired.values_list("pk", flat=True)[:batch_size]):
            count, _ = AuditEntry.objects.filter(pk__in=batch).delete()  # later resyncs keep resync_of = NULL
            deleted += count
    return deleted
