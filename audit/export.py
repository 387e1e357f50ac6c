"""CSV export of the filtered audit log, streamed row by row so a large export holds no memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry

# Cells a spreadsheet would read as a formula (OWASP "CSV injection"); tab and CR can start one too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


def safe_cell(value) -> str:
    """The value as text, with a leading quote when a spreadsheet would otherwise run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer inside a generator."""

    def write(self, value):
        return value


def header() -> list[str]:
    return [
        _("Created"),
        _("Name"),
        _("Module"),
        _("Data flow"),
        _("Trigger"),
        _("Action"),
        _("Status"),
        _("Message"),
        _("Zoho id"),
        _("Xero id"),
        _("Xero organisation"),
        _("Error code"),
        _("Error"),
    ]


def row(entry: AuditEntry) -> list[str]:
    cells = [
        timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
        entry.record_name,
        entry.get_module_display(),
        entry.get_direction_display(),
        entry.get_trigger_display(),
        entry.get_action_display(),
        entry.get_status_display(),
        entry.translated_message,
        entry.zoho_id,
        entry.xero_id,
        entry.xero_tenant_name,
        entry.provider_error_code,
        entry.provider_error,
    ]
    return [safe_cell(cell) for cell in cells]


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The header then one CSV line per entry (a byte-order mark first, so Excel reads UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())
    for entry in entries:
        yield writer.writerow(row(entry))


def export_queryset(queryset):
    """Only the exported columns, in chunks (a server-side cursor on PostgreSQL)."""
    return queryset.only(
        "created_at",
        "record_name",
        "module",
        "direction",
        "trigger",
        "action",
        "status",
        "message_key",
        "message_params",
        "message",
        "zoho_id",
        "xero_id",
        "xero_tenant_name",
        "provider_error_code",
        "provider_error",
    ).iterator(chunk_size=CHUNK_SIZE)
