"""The watch (notification channel) service behind /crm/v8/actions/watch (zoho.md §5)."""

import datetime

from sandbox import clock

from .errors import RecordError
from .ids import is_id
from .models import Channel, Counter
from .schema import MODULE_IDS, MODULES, field_id, field_map
from .timefmt import fmt, parse_or_none
from .urls_helpers import api_domain

OPERATIONS = ("all", "create", "edit", "delete")
MAX_EXPIRY = datetime.timedelta(days=7)
DEFAULT_EXPIRY = datetime.timedelta(hours=1)


def _error(code, message, field, index, **details):
    return RecordError(code, message, {"api_name": field, "json_path": f"$.watch[{index}].{field}", **details})


def _events(value, index) -> list[str]:
    if not isinstance(value, list) or not value:
        raise _error("MANDATORY_NOT_FOUND", "required field not found", "events", index)
    events = []
    for event in value:
        module, _, operation = str(event).partition(".")
        if module not in MODULES or operation not in OPERATIONS:
            raise _error("INVALID_DATA", "invalid data", "events", index)
        events.append(f"{module}.{operation}")
    return events


def expiry_of(value, index):
    """Omitted or more than a week ahead: one hour from now (as Zoho documents); past: refused."""
    now = clock.now()
    if value in (None, ""):
        return now + DEFAULT_EXPIRY
    moment = parse_or_none(value)
    if moment is None:
        raise _error("INVALID_DATA", "invalid data", "channel_expiry", index, expected_data_type="datetime")
    if moment <= now:
        raise _error("INVALID_DATA", "invalid data", "channel_expiry", index)
    if moment - now > MAX_EXPIRY:
        return now + DEFAULT_EXPIRY
    return moment.replace(microsecond=0)


def _channel_id(item, index) -> int:
    raw = item.get("channel_id")
    if raw in (None, ""):
        raise _error("MANDATORY_NOT_FOUND", "required field not found", "channel_id", index)
    if not is_id(raw):
        raise _error("INVALID_DATA", "invalid data", "channel_id", index, expected_data_type="long")
    return int(raw)


def _common(item, index, channel: Channel, *, partial: bool):
    if "notify_url" in item or not partial:
        url = item.get("notify_url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _error("MANDATORY_NOT_FOUND" if not url else "INVALID_DATA",
                         "required field not found" if not url else "invalid data", "notify_url", index)
        channel.notify_url = url
    if "token" in item or not partial:
        token = item.get("token") or ""
        if not isinstance(token, str) or len(token) > 50:
            raise _error("INVALID_DATA", "invalid data", "token", index, maximum_length=50)
        channel.token = token
    if "channel_expiry" in item or not partial:
        channel.channel_expiry = expiry_of(item.get("channel_expiry"), index)
    for flag in ("return_affected_field_values", "notify_on_related_action"):
        if flag in item or not partial:
            setattr(channel, flag, bool(item.get(flag, False)))
    if "notification_condition" in item:
        channel.notification_condition = _conditions(item.get("notification_condition"), index)


def _conditions(value, index) -> list:
    """The notification conditions as the channel keeps and echoes them: the module and every field named with
    its id as well as its API name (notifications.json's Module and Criteria.field carry `api_name` and `id`),
    whichever of the two the request gave. An unknown module or field is refused (INVALID_DATA)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise _error("INVALID_DATA", "invalid data", "notification_condition", index)
    return [_condition(condition, index) for condition in value]


def _condition(condition, index) -> dict:
    if not isinstance(condition, dict):
        raise _error("INVALID_DATA", "invalid data", "notification_condition", index)
    given = condition.get("module")
    given = given if isinstance(given, dict) else {"api_name": given} if isinstance(given, str) else {}
    module = next((name for name in MODULES if name.lower() == str(given.get("api_name") or "").lower()
                   or MODULE_IDS[name] == str(given.get("id") or "")), None)
    if module is None:
        raise _error("INVALID_DATA", "invalid data", "notification_condition.module", index)
    fields = {name: field_id(module, name) for name in field_map(module)}
    by_id = {fid: name for name, fid in fields.items()}

    def criteria(node):
        if not isinstance(node, dict):
            raise _error("INVALID_DATA", "invalid data", "notification_condition.field_selection", index)
        node = dict(node)
        if "field" in node:
            field = node["field"] if isinstance(node["field"], dict) else {}
            name = field.get("api_name") if field.get("api_name") in fields else by_id.get(str(field.get("id")))
            if name is None:
                raise _error("INVALID_DATA", "invalid data", "notification_condition.field_selection.field", index)
            node["field"] = {"api_name": name, "id": fields[name]}
        if "group" in node:
            if not isinstance(node["group"], list):
                raise _error("INVALID_DATA", "invalid data", "notification_condition.field_selection.group", index)
            node["group"] = [criteria(child) for child in node["group"]]
        return node

    normalised = {**condition, "module": {"api_name": module, "id": MODULE_IDS[module]}}
    if "field_selection" in condition:
        normalised["field_selection"] = criteria(condition["field_selection"])
    return normalised


def describe(channel: Channel, *, only_events=None) -> dict:
    events = only_events if only_events is not None else channel.events
    return {"events": [{"channel_expiry": fmt(channel.channel_expiry, "UTC"),
                        "resource_uri": f"{api_domain(channel.org.dc)}/crm/v8/{event.split('.')[0]}",
                        "resource_id": str(channel.resource_id), "resource_name": event.split(".")[0],
                        "channel_id": str(channel.channel_id),
                        "notification_condition": channel.notification_condition or []} for event in events]}


def enable(org, items) -> list[dict]:
    results = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise _error("INVALID_DATA", "invalid data", "watch", index)
            channel_id = _channel_id(item, index)
            events = _events(item.get("events"), index)
            channel = Channel.objects.filter(org=org, channel_id=channel_id).first() or Channel(
                org=org, channel_id=channel_id, resource_id=Counter.allocate(1)[0])
            _common(item, index, channel, partial=False)
            channel.events = sorted(set(channel.events or []) | set(events)) if channel.pk else events
            channel.save()
            results.append({"code": "SUCCESS", "details": describe(channel, only_events=events),
                            "message": "Successfully subscribed for actions-watch of the given module",
                            "status": "success"})
        except RecordError as error:
            results.append(error.body())
    return results


def update(org, items, *, replace: bool) -> list[dict]:
    """PUT replaces a channel's settings; PATCH changes the given keys (`_delete_events` removes events)."""
    results = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise _error("INVALID_DATA", "invalid data", "watch", index)
            channel = Channel.objects.filter(org=org, channel_id=_channel_id(item, index)).first()
            if channel is None:
                raise RecordError("NOT_SUBSCRIBED", "Not subscribed for actions-watch of the given module",
                                  {"channel_id": str(item.get("channel_id"))})
            if "events" in item or replace:
                events = _events(item.get("events"), index)
                if item.get("_delete_events") is True:
                    channel.events = [event for event in channel.events if event not in events]
                else:
                    channel.events = events if replace else sorted(set(channel.events) | set(events))
            _common(item, index, channel, partial=not replace)
            if not channel.events:
                channel.delete()
                message = "Successfully removed the subscribe details"
                details = {"channel_id": str(item.get("channel_id")), "events": []}
            else:
                channel.save()
                message, details = "Successfully updated the subscribe details", describe(channel)
            results.append({"code": "SUCCESS", "details": details, "message": message, "status": "success"})
        except RecordError as error:
            results.append(error.body())
    return results


def disable(org, channel_ids: list[str]) -> list[dict]:
    results = []
    for raw in channel_ids:
        deleted = Channel.objects.filter(org=org, channel_id=int(raw)).delete()[0] if is_id(raw) else 0
        if deleted:
            results.append({"code": "SUCCESS", "details": {"channel_id": raw},
                            "message": "Successfully un-subscribed from actions-watch", "status": "success"})
        else:
            results.append({"code": "NOT_SUBSCRIBED", "details": {"channel_id": raw},
                            "message": "Not subscribed for actions-watch of the given module", "status": "error"})
    return results


def listing(org, *, channel_id=None, module=None) -> list[dict]:
    channels = Channel.objects.filter(org=org).order_by("channel_id")
    if channel_id:
        channels = channels.filter(channel_id=int(channel_id)) if is_id(channel_id) else channels.none()
    out = []
    for channel in channels:
        if module and not any(event.startswith(f"{module}.") for event in channel.events):
            continue
        out.append({"notify_on_related_action": channel.notify_on_related_action,
                    "channel_expiry": fmt(channel.channel_expiry, "UTC"),
                    "resource_uri": f"{api_domain(org.dc)}/crm/v8/{channel.events[0].split('.')[0]}",
                    "resource_id": str(channel.resource_id), "resource_name": channel.events[0].split(".")[0],
                    "channel_id": str(channel.channel_id), "events": channel.events,
                    "notify_url": channel.notify_url, "token": channel.token or None,
                    "return_affected_field_values": channel.return_affected_field_values,
                    "notification_condition": channel.notification_condition or []})
    return out
