"""Xero webhooks (xero.md §5): verify `x-xero-signature` (base64 HMAC-SHA256 of the raw body with
settings.XERO_WEBHOOK_KEY) in constant time before parsing, then group the events into small units of work.

Xero sends no entity data, only ids; CONTACT events sync accounts and INVOICE events invoices, Xero -> Zoho.
One webhook covers every connected tenant, and a tenant may be connected to several portal organisations."""

import base64
import hashlib
import hmac
import re
from collections import defaultdict

from django.conf import settings

from connections.models import Status, XeroOrganisation
from tenancy import safe_json

CATEGORIES = {"CONTACT": "accounts", "INVOICE": "invoices"}
MAX_EVENTS = 10_000
# A Xero webhook body is three levels deep; refused before parsing when larger or deeper than this.
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 8
_GUID_LIKE = re.compile(r"[A-Za-z0-9-]{1,64}")


class InvalidWebhook(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def signature_of(body: bytes, key: str | None = None) -> str:
    key = settings.XERO_WEBHOOK_KEY if key is None else key
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(body: bytes, signature: str | None) -> bool:
    if not settings.XERO_WEBHOOK_KEY or not signature:
        return False
    return hmac.compare_digest(signature_of(body).encode(), signature.strip().encode())


def parse(body: bytes) -> dict[tuple[str, str], list[str]]:
    """{(tenant id, module): [resource ids]} from a verified body. Raises InvalidWebhook(400) when malformed."""
    try:
        payload = safe_json.loads(body, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
    except safe_json.JSONRefused as refused:
        raise InvalidWebhook(400, f"body refused: {refused.reason}") from None
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise InvalidWebhook(400, "no events list")
    work: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event in events:
        if not isinstance(event, dict):
            raise InvalidWebhook(400, "event is not an object")
        category = str(event.get("eventCategory") or "").upper()
        tenant, resource = event.get("tenantId"), event.get("resourceId")
        if not _is_guid(tenant) or not _is_guid(resource):
            raise InvalidWebhook(400, "event without a valid tenantId or resourceId")
        module = CATEGORIES.get(category)
        if module is None:
            continue  # CREDITNOTE, SUBSCRIPTION: not synced
        if resource not in work[(tenant, module)]:
            work[(tenant, module)].append(resource)
    return dict(work)


def _is_guid(value) -> bool:
    """Xero's tenant and resource ids are GUIDs: letters, digits and hyphens. Anything else (a NUL byte, which
    PostgreSQL cannot store, an object, a kilobyte of text) is refused."""
    return isinstance(value, str) and bool(_GUID_LIKE.fullmatch(value))


def targets(tenant_id: str):
    """The Xero organisation rows (one per portal organisation) that sync this tenant."""
    return XeroOrganisation.objects.filter(tenant_id=tenant_id, selected=True, status=Status.ACTIVE)
