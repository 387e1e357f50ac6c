"""Writing audit entries. Every sync attempt and connection event goes through `record`."""

from .models import AuditEntry


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
    params = message_params or {}
    try:
        message = message_key % params if message_key else ""
    except (KeyError, TypeError, ValueError):
        message = message_key
    return AuditEntry.objects.create(
        organisation=organisation,
        module=module,
        action=action,
        status=status,
        message_key=message_key,
        message_params=params,
        message=message,
        **fields,
    )
