"""On Save Sync through Zoho CRM notifications (zoho.md §5).

- `reconcile(organisation)`: make the Zoho watch channel match the settings: On Save Sync on -> one channel
  watching `<Module>.all` for every module allowed to sync Zoho -> Xero; off (or nothing to watch) -> removed.
  Called after the Settings page saves (signals.py) and by Beat, which also renews channels well before they
  expire (Zoho keeps a channel at most a week).
- `verify(body)`: check a callback (channel id and token, compared in constant time) and return what to sync.
"""

import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from connections import services as connection_services
from connections.exceptions import ProviderError
from connections.models import Status
from connections.providers.zoho.client import ZohoClient, zoho_datetime

from .. import settings_services
from ..engine.modules import MODULE_ORDER, ZOHO_TO_XERO, by_zoho_module, spec
from ..models import ModuleSettings
from ..trigger_models import ZohoChannel

logger = logging.getLogger(__name__)

CHANNEL_LIFETIME = timedelta(days=6)  # Zoho's maximum is one week; more than that becomes one hour
RENEW_BEFORE = timedelta(days=3)  # Beat renews a channel when less than this is left
OPERATIONS = ("insert", "update", "delete")
MAX_IDS = 1000
# Zoho record and channel ids are ASCII digits (at most 19: a 64-bit integer). str.isdigit() also accepts
# "²" and other Unicode digits, which int() and Zoho refuse.
_ZOHO_ID = re.compile(r"[0-9]{1,19}")


def is_zoho_id(value) -> bool:
    """True for a well-formed Zoho id (a string or int of ASCII digits that fits a 64-bit integer)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return False
    text = str(value)
    return bool(_ZOHO_ID.fullmatch(text)) and int(text) < 2**63


def notify_url(organisation) -> str:
    path = reverse("sync:zoho_notification")
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}"


def watched_modules(organisation) -> list[str]:
    """Modules allowed to sync Zoho -> Xero in at least one selected Xero organisation, when On Save Sync is on."""
    if not settings_services.on_save_sync_enabled(organisation):
        return []
    selected = connection_services.selected_xero_organisations(organisation)
    modules = []
    for module in MODULE_ORDER:
        for xero_organisation in selected:
            module_settings = settings_services.module_settings(xero_organisation, module)
            if module_settings.allow_sync and (module_settings.zoho_to_xero_create
                                               or module_settings.zoho_to_xero_update
                                               or module_settings.zoho_to_xero_delete):
                modules.append(module)
                break
    return modules


def _events(modules) -> list[str]:
    return sorted(f"{spec(module).zoho_module}.all" for module in modules)


def reconcile(organisation, *, renew: bool = False) -> ZohoChannel | None:
    """Register, update, renew or remove the organisation's channel. Provider errors are logged and kept on
    the channel (`last_error`); Beat tries again."""
    connection = connection_services.zoho_connection(organisation)
    if connection is None or connection.status != Status.ACTIVE:
        return None
    events = _events(watched_modules(organisation))
    channel = ZohoChannel.objects.filter(zoho_connection=connection).first()
    client = ZohoClient(connection)
    try:
        if not events:
            if channel is not None and channel.registered:
                client.disable_notifications([channel.channel_id])
            if channel is not None:
                channel.delete()
            return None
        now = timezone.now()
        if channel is None:
            channel = ZohoChannel.objects.create(organisation=organisation, zoho_connection=connection,
                                                 token=secrets.token_urlsafe(30))
        due = channel.expires_at is None or channel.expires_at - now < RENEW_BEFORE
        if channel.registered and channel.events == events and not (renew and due):
            return channel
        expires = now + CHANNEL_LIFETIME
        watch = [{
            "channel_id": channel.channel_id,
            "events": events,
            "notify_url": notify_url(organisation),
            "token": channel.token,
            "channel_expiry": zoho_datetime(expires),
            "return_affected_field_values": False,
        }]
        if channel.registered:
            results = client.update_notifications(watch)
            if any(result.code == "NOT_SUBSCRIBED" for result in results):
                results = client.enable_notifications(watch)  # gone at Zoho (expired or removed): register anew
        else:
            results = client.enable_notifications(watch)
        if results and not all(result.ok for result in results):
            message = "; ".join(f"{r.code}: {r.message}" for r in results if not r.ok)
            ZohoChannel.objects.filter(pk=channel.pk).update(last_error=message[:500])
            logger.warning("Zoho refused the watch channel of organisation %s: %s", organisation.pk, message)
            return channel
        ZohoChannel.objects.filter(pk=channel.pk).update(events=events, expires_at=expires, registered=True,
                                                        last_error="")
        channel.refresh_from_db()
        return channel
    except ProviderError as error:
        logger.warning("Could not update the Zoho watch channel of organisation %s: %s", organisation.pk, error)
        if channel is not None and channel.pk:
            ZohoChannel.objects.filter(pk=channel.pk).update(last_error=str(error)[:500])
        return channel


def reconcile_after_commit(organisation_id) -> None:
    """Reconcile when the current transaction commits (the Settings page saves several rows in one)."""

    def run():
        from tenancy.models import Organisation

        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is not None:
            reconcile(organisation)

    transaction.on_commit(run)


def due_for_renewal():
    """Organisations whose channel expires soon, or that want a channel and have none (Beat)."""
    soon = timezone.now() + RENEW_BEFORE
    with_channel = set(ZohoChannel.objects.filter(expires_at__lt=soon).values_list("organisation_id", flat=True))
    from ..models import OrganisationSyncSettings

    wanted = set(OrganisationSyncSettings.objects.filter(on_save_sync=True).values_list("organisation_id", flat=True))
    without = wanted - set(ZohoChannel.objects.filter(registered=True).values_list("organisation_id", flat=True))
    return sorted(with_channel | without, key=str)


# --- callbacks -----------------------------------------------------------------------------------------


class InvalidNotification(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Notification:
    organisation_id: object
    module: str
    ids: list[str]
    operation: str


def _engine_module(zoho_module: str) -> str | None:
    module_spec = by_zoho_module(zoho_module)
    return module_spec.key if module_spec else None


def verify(body) -> Notification:
    """A callback's body -> what to sync. Raises InvalidNotification(400 malformed / 401 unknown or forged)."""
    if not isinstance(body, dict):
        raise InvalidNotification(400, "body is not a JSON object")
    channel_id, token = body.get("channel_id"), body.get("token")
    ids, operation, zoho_module = body.get("ids"), body.get("operation"), body.get("module")
    if not isinstance(token, str) or not is_zoho_id(channel_id):
        raise InvalidNotification(400, "channel_id or token missing")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_IDS or not all(is_zoho_id(i) for i in ids):
        raise InvalidNotification(400, "ids missing or malformed")
    if operation not in OPERATIONS or not isinstance(zoho_module, str):
        raise InvalidNotification(400, "operation or module malformed")
    channel = ZohoChannel.objects.filter(channel_id=int(channel_id)).select_related("zoho_connection").first()
    if channel is None or not channel.registered:
        raise InvalidNotification(401, "unknown channel")
    if not hmac.compare_digest(channel.token.encode(), token.encode()):
        raise InvalidNotification(401, "wrong token")
    module = _engine_module(zoho_module)
    if module is None:
        raise InvalidNotification(400, "module not synced")
    return Notification(channel.organisation_id, module, [str(i) for i in ids], operation)


def sync_targets(organisation, module: str):
    """The selected Xero organisations that take `module` from Zoho (a module nobody started takes nothing)."""
    for xero_organisation in connection_services.selected_xero_organisations(organisation):
        module_settings = ModuleSettings.objects.filter(xero_organisation=xero_organisation, module=module).first()
        if module_settings is not None and module_settings.started(DIRECTION):
            yield xero_organisation


DIRECTION = ZOHO_TO_XERO
