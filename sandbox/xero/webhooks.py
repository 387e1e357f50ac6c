"""Xero webhooks: CONTACT and INVOICE events (CREATE/UPDATE), signed with x-xero-signature, and the
intent-to-receive check. Deliveries run in a background thread after the API response is decided."""

import base64
import collections
import datetime
import hashlib
import hmac
import json
import secrets
import string
import threading

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F

from sandbox import clock, config
from sandbox.concurrency import serial

from .models import WebhookSequence

RESOURCE = {"CONTACT": "Contacts", "INVOICE": "Invoices"}
TIMEOUT = 5  # Xero expects an answer within 5 seconds
deliveries: collections.deque = collections.deque(maxlen=200)  # recent outcomes, newest last
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()  # requests answered at once start deliveries at once: none may drop another's


def webhook_key() -> str:
    return config.get("xero.webhook_key") or getattr(settings, "XERO_WEBHOOK_KEY", "") or "sandbox-xero-webhook-key"


def webhook_url() -> str:
    return config.get("xero.webhook_url") or f"{settings.PORTAL_BASE_URL}/sync/webhooks/xero/"


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def entropy() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


def _event_date(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _next_sequences(count: int) -> tuple[int, int]:
    with transaction.atomic(using="sandbox"):
        WebhookSequence.objects.get_or_create(pk=1)
        WebhookSequence.objects.filter(pk=1).update(last=F("last") + count)
        last = WebhookSequence.objects.get(pk=1).last
    return last - count + 1, last


def build_payload(api_base: str, organisation_id, events: list) -> dict:
    """events: (category, type, resource id) in the order they happened; duplicates collapse."""
    unique = list(dict.fromkeys(events))
    first, last = _next_sequences(len(unique))
    now = _event_date(clock.now())
    return {
        "events": [{
            "resourceUrl": f"{api_base}/{RESOURCE[category]}/{resource_id}",
            "resourceId": str(resource_id),
            "eventDateUtc": now,
            "eventType": event_type,
            "eventCategory": category,
            "tenantId": str(organisation_id),
            "tenantType": "ORGANISATION",
        } for category, event_type, resource_id in unique],
        "firstEventSequence": first,
        "lastEventSequence": last,
        "entropy": entropy(),
    }


def post(url: str, body: bytes, signature: str) -> dict:
    outcome = {"url": url, "at": clock.now().isoformat(), "status": None, "body": "", "error": ""}
    try:
        response = requests.post(url, data=body, timeout=TIMEOUT, headers={
            "Content-Type": "application/json", "x-xero-signature": signature, "User-Agent": "Xero-Webhooks (sandbox)"})
        outcome.update(status=response.status_code, body=response.text[:500])
    except requests.RequestException as error:
        outcome["error"] = str(error)
    return outcome


def _deliver(url: str, body: bytes, signature: str, payload: dict) -> None:
    outcome = post(url, body, signature)
    outcome["payload"] = payload
    deliveries.append(outcome)


def emit(request, organisation_id, events: list) -> None:
    """Queue the events of one request for delivery after commit (without blocking the response)."""
    if not events or not config.get("xero.webhooks_enabled", True):
        return
    api_base = request.build_absolute_uri("/xero/api.xro/2.0")
    payload = build_payload(api_base, organisation_id, events)
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    url, signature = webhook_url(), sign(body, webhook_key())

    def start():
        thread = threading.Thread(target=_deliver, args=(url, body, signature, payload), daemon=True,
                                  name="xero-webhook")
        with _threads_lock:
            _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
            thread.start()

    transaction.on_commit(start, using="sandbox")


def wait_for_deliveries(timeout: float = 10.0) -> None:
    """Tests: wait until every started delivery finished."""
    with _threads_lock:
        started = list(_threads)
    for thread in started:
        thread.join(timeout)


def intent_to_receive() -> dict:
    """Send one correctly and one incorrectly signed empty payload, as Xero does when a webhook is saved."""
    url, key = webhook_url(), webhook_key()
    payload = {"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": entropy()}
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    with serial.released():  # the receiver may call the sandbox back
        good = post(url, body, sign(body, key))
        bad = post(url, body, sign(body, key + "-wrong"))
    good["expected"], bad["expected"] = 200, 401
    return {
        "url": url,
        "correctly_signed": good,
        "incorrectly_signed": bad,
        "passed": good["status"] == 200 and bad["status"] == 401,
        "empty_bodies": good["body"] == "" and bad["body"] == "",
    }
