"""Copy to Xero: one Zoho CRM record, now, to every selected Xero organisation (trigger "copy").

The engine writes the audit entries; `copy_record` returns them so the page can show the outcome."""

from django.utils.translation import gettext_noop

from audit.models import AuditEntry
from audit.services import record as audit_record
from connections import services as connection_services
from connections.exceptions import ProviderError

from .. import services
from ..engine.modules import ZOHO_TO_XERO, spec
from ..services import SyncNotAllowed
from . import reasons

SEARCH_LIMIT = 20


def _escape(text: str) -> str:
    for character in ("\\", "(", ")", ","):
        text = text.replace(character, "\\" + character)
    return text


def search(organisation, module: str, name: str) -> list[dict]:
    """Zoho records of `module` whose name starts with `name`: at most SEARCH_LIMIT, and one more when there are
    more (the page then says that only the first ones are shown)."""
    from connections.providers.zoho.client import ZohoClient

    connection = connection_services.zoho_connection(organisation)
    if connection is None:
        return []
    module_spec = spec(module)
    criteria = f"({module_spec.zoho_name_field}:starts_with:{_escape(name)})"
    rows = ZohoClient(connection).search(module_spec.zoho_module, criteria)[:SEARCH_LIMIT + 1]
    return [{"id": str(row.get("id")), "name": module_spec.zoho_name(row)} for row in rows]


def copy_record(organisation, module: str, record_id: str) -> list[AuditEntry]:
    """Sync one Zoho record to Xero; returns the audit entries that tell what happened."""
    record_id = str(record_id)
    targets = list(connection_services.selected_xero_organisations(organisation))
    common = {"organisation": organisation, "module": module, "zoho_id": record_id, "direction": ZOHO_TO_XERO,
              "trigger": "copy"}
    if not targets:
        return [audit_record(action="skip", status="failed", message_key=reasons.COPY_NO_XERO, **common)]
    entries = []
    for xero_organisation in targets:
        before = set(AuditEntry.objects.filter(organisation=organisation, trigger="copy", zoho_id=record_id)
                     .values_list("pk", flat=True))
        tenant = {"xero_tenant_id": xero_organisation.tenant_id, "xero_tenant_name": xero_organisation.tenant_name}
        try:
            run = services.sync_records(xero_organisation, module, ZOHO_TO_XERO, ids=[record_id], trigger="copy")
        except SyncNotAllowed:
            entries.append(audit_record(action="skip", status="failed", message_key=reasons.COPY_NOT_READY,
                                        **common, **tenant))
            continue
        except ProviderError as error:
            entries.append(audit_record(
                action="skip", status="failed", provider_error=str(error)[:500],
                message_key=gettext_noop("Not copied: %(error)s Try again in a few minutes."),
                message_params={"error": str(getattr(error, "user_message", "") or error)}, **common, **tenant))
            continue
        new = list(AuditEntry.objects.filter(organisation=organisation, trigger="copy", zoho_id=record_id)
                   .exclude(pk__in=before).order_by("created_at"))
        if not new and run.items.filter(deleted=True).exists():
            new = [audit_record(action="skip", status="failed", message_key=reasons.COPY_NOT_FOUND,
                                message_params={"record_id": record_id, "module": module}, **common, **tenant)]
        if not new:
            new = [audit_record(action="skip", status="skipped",
                                message_key=gettext_noop("Already in Xero and unchanged; nothing needed to be written."),
                                **common, **tenant)]
        entries.extend(new)
    return entries
