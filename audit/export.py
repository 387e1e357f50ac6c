"""CSV export of the filtered audit log, streamed row by row so a large export holds no memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Action, Direction, Module, Status, Trigger, translate_message

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


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def rows(values: Iterable[dict]) -> Iterator[list[str]]:
    """One list of cells per entry (dicts from export_queryset), labels in the active language."""
    labels = {
        "module": _labels(Module.choices),
        "direction": _labels(Direction.choices),
        "trigger": _labels(Trigger.choices),
        "action": _labels(Action.choices),
        "status": _labels(Status.choices),
    }
    for value in values:
        cells = [
            timezone.localtime(value["created_at"]).isoformat(timespec="seconds"),
            value["record_name"],
            labels["module"].get(value["module"], value["module"]),
            labels["direction"].get(value["direction"], value["direction"]),
            labels["trigger"].get(value["trigger"], value["trigger"]),
            labels["action"].get(value["action"], value["action"]),
            labels["status"].get(value["status"], value["status"]),
            translate_message(value["message_key"], value["message_params"], value["message"]),
            value["zoho_id"],
            value["xero_id"],
            value["xero_tenant_name"],
            value["provider_error_code"],
            value["provider_error"],
        ]
        yield [safe_cell(cell) for cell in cells]


def csv_lines(values: Iterable[dict]) -> Iterator[str]:
    """The header then one CSV line per entry (a byte-order mark first, so Excel reads UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())
    for cells in rows(values):
        yield writer.writerow(cells)


EXPORT_FIELDS = (
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
)


def export_queryset(queryset):
    """Only the exported columns, as dicts, in chunks (a server-side cursor on PostgreSQL)."""
    return queryset.values(*EXPORT_FIELDS).iterator(chunk_size=CHUNK_SIZE)
