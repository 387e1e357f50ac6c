"""Watch notifications: after a write commits, POST the documented body to each live channel's notify_url.

Delivery runs on a small thread pool so the API response never waits; the last deliveries are kept
in memory for the sandbox UI (`recent_deliveries()`).
"""

import collections
import json
import logging
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlsplit

from django.db import transaction

from sandbox import clock, config

logger = logging.getLogger(__name__)
OPERATIONS = {"insert": "create", "update": "edit", "delete": "delete"}
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="zoho-notify")
_recent: collections.deque = collections.deque(maxlen=200)
_recent_lock = threading.Lock()
_pending = 0
_pending_lock = threading.Condition()


def recent_deliveries() -> list[dict]:
    with _recent_lock:
        return list(reversed(_recent))


def forget_deliveries() -> None:
    with _recent_lock:
        _recent.clear()


def wait_idle(timeout: float = 10.0) -> bool:
    """Block until every queued delivery has been attempted (tests, the seed command)."""
    with _pending_lock:
        return _pending_lock.wait_for(lambda: _pending == 0, timeout=timeout)


def api_domain_for(org) -> str:
    from .urls_helpers import api_domain

    return api_domain(org.dc)


def record_changes(org, module: str, events: list) -> None:
    """Queue one notification per channel and operation for the ids written (after commit)."""
    if not events:
        return
    from .models import Channel

    now = clock.now()
    channels = [c for c in Channel.objects.filter(org=org, channel_expiry__gt=now)]
    if not channels:
        return
    bodies = []
    for operation in ("insert", "update", "delete"):
        for channel in channels:
            wanted = {f"{module}.all", f"{module}.{OPERATIONS[operation]}"}
            if not wanted.intersection(channel.events):
                continue
            watched = condition_fields(channel.notification_condition, module)
            chosen = [event for event in events if event[0] == operation
                      and (operation != "update" or watched is None or watched.intersection(event[2]))]
            if chosen:
                bodies.append((channel.notify_url, _body(org, module, operation, chosen, channel, now)))
    if bodies:
        timeout = float(config.get("zoho.notify_timeout", 10))  # read here: delivery threads never use the DB
        transaction.on_commit(lambda: [_submit(url, body, timeout) for url, body in bodies], using="sandbox")


def condition_fields(conditions, module: str) -> set[str] | None:
    """The fields a `notification_condition` of type field_selection watches for this module (None: all).

    Updates that change none of them are not notified; inserts and deletes always are."""
    if not isinstance(conditions, list):
        return None
    watched: set[str] = set()
    found = False
    for condition in conditions:
        if not isinstance(condition, dict) or condition.get("type", "field_selection") != "field_selection":
            continue
        target = (condition.get("module") or {}).get("api_name") if isinstance(condition.get("module"), dict) \
            else None
        if target not in (None, module):
            continue
        found = True
        _collect(condition.get("field_selection"), watched)
    return watched if found else None


def _collect(node, into: set) -> None:
    if isinstance(node, dict):
        field = node.get("field")
        if isinstance(field, dict) and field.get("api_name"):
            into.add(field["api_name"])
        for child in node.get("group") or []:
            _collect(child, into)


def _body(org, module, operation, events, channel, now) -> dict:
    body = {
        "server_time": int(now.timestamp() * 1000),
        "query_params": dict(parse_qsl(urlsplit(channel.notify_url).query)),
        "module": module,
        "resource_uri": f"{api_domain_for(org)}/crm/v8/{module}",
        "ids": [event[1] for event in events],
    }
    if operation == "update":
        body["affected_fields"] = [{event[1]: event[2]} for event in events]
        if channel.return_affected_field_values:
            body["affected_values"] = [{"record_id": event[1], "values": event[3]} for event in events]
    body.update({"operation": operation, "channel_id": str(channel.channel_id), "token": channel.token or None})
    return body


def _submit(url: str, body: dict, timeout: float) -> None:
    global _pending
    with _pending_lock:
        _pending += 1
    _pool.submit(_deliver, url, body, timeout)


def _deliver(url: str, body: dict, timeout: float) -> None:
    global _pending
    entry = {"url": url, "channel_id": body["channel_id"], "module": body["module"],
             "operation": body["operation"], "ids": body["ids"], "status": None, "error": ""}
    try:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "Zoho CRM Notifications (sandbox)"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            entry["status"] = response.status
    except urllib.error.HTTPError as error:
        entry["status"] = error.code
    except (urllib.error.URLError, OSError, ValueError) as error:
        entry["error"] = str(error)[:200]
        logger.info("Zoho sandbox notification to %s failed: %s", url, entry["error"])
    finally:
        with _recent_lock:
            _recent.append(entry)
        with _pending_lock:
            _pending -= 1
            _pending_lock.notify_all()
