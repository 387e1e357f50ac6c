"""CRM API v8 views: records, upsert, deleted, search, count, COQL, watch and metadata."""

import json
import re

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import bulk, coql, listing, metadata, records, subform, watch
from .api import body_of, endpoint, json_response, module_or_error, module_scope, status_of, write_credits
from .errors import ZohoError, invalid_param, invalid_url, required_param
from .ids import is_id
from .models import User
from .render import Renderer
from .schema import (
    MODULE_IDS,
    MODULES,
    SUBFORM_MODULE,
    SYSTEM_DUPLICATE_KEY,
    canonical_module,
    field_map,
    unique_fields,
)

MAX_WRITE = records.MAX_RECORDS


def _write_items(request, module, *, mode):
    body = body_of(request)
    items = body.get("data")
    if not isinstance(items, list) or not items:
        raise ZohoError("MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data",
                                                                            "json_path": "$.data"})
    if len(items) > MAX_WRITE:
        raise ZohoError("LIMIT_EXCEEDED", "Record count exceeded", {"limit": MAX_WRITE, "api_name": "data",
                                                                    "json_path": "$.data"})
    triggers = body.get("trigger")
    if triggers is not None and (not isinstance(triggers, list)
                                 or any(t not in records.TRIGGERS for t in triggers)):
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "trigger", "json_path": "$.trigger",
                                                         "supported_values": list(records.TRIGGERS)})
    request.zoho_credits = write_credits(len(items))
    return body, items, triggers


def _is_heavy_write(request, **kwargs):
    """Writes of more than ten records count against the sub-concurrency limit."""
    if request.method not in ("POST", "PUT"):
        return False
    try:
        items = json.loads(request.body or b"{}").get("data")
    except (ValueError, AttributeError):
        return False
    return isinstance(items, list) and len(items) > 10


@endpoint(module_scope, methods=("GET", "POST", "PUT", "DELETE"), heavy=_is_heavy_write)
def collection(request, module):
    org, user = request.zoho_org, request.zoho_user
    if subform.is_subform(module) and request.method == "GET":
        return json_response(*subform.list_lines(org, user, request.GET))
    module = module_or_error(module)
    if request.method == "GET":
        status, body = listing.list_records(org, user, module, request.GET, request.headers.get("If-Modified-Since"))
        return json_response(status, body)
    if request.method == "DELETE":
        return _delete(request, module, request.GET.get("ids", ""))
    body, items, triggers = _write_items(request, module, mode="write")
    mode = "insert" if request.method == "POST" else "update"
    results = records.write(org, user, module, items, mode=mode, triggers=triggers)
    return json_response(status_of(results, 201 if mode == "insert" else 200), {"data": results})


def _delete(request, module, raw_ids):
    ids = [part.strip() for part in raw_ids.split(",") if part.strip()]
    if not ids:
        raise required_param("ids")
    if len(ids) > MAX_WRITE:
        raise ZohoError("LIMIT_EXCEEDED", "Record count exceeded", {"limit": MAX_WRITE, "param_name": "ids"})
    wf_trigger = request.GET.get("wf_trigger", "true").lower() != "false"
    results = records.delete(request.zoho_org, request.zoho_user, module, ids, wf_trigger=wf_trigger)
    return json_response(status_of(results), {"data": results})


@endpoint(module_scope, methods=("GET", "PUT", "DELETE"))
def detail(request, module, record_id):
    module = module_or_error(module)
    org, user = request.zoho_org, request.zoho_user
    external = request.headers.get("X-EXTERNAL")
    if external:
        record_id = _external_to_id(org, module, external, record_id)
    if request.method == "DELETE":
        return _delete(request, module, record_id)
    if request.method == "PUT":
        body, items, triggers = _write_items(request, module, mode="update")
        if len(items) != 1:
            raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "data", "json_path": "$.data"})
        item = dict(items[0]) if isinstance(items[0], dict) else items[0]
        if isinstance(item, dict):
            item["id"] = record_id
        results = records.write(org, user, module, [item], mode="update", triggers=triggers)
        return json_response(status_of(results), {"data": results})
    if not is_id(record_id):  # Zoho refuses an id that is not a number ("abc", "²") instead of finding nothing
        raise ZohoError("INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 2})
    record = records.live(org, module).filter(zid=int(record_id)).first()
    if record is None:
        return json_response(204, None)
    fields = listing.fields_param(module, request.GET, required=False)
    renderer = Renderer(org, user.time_zone)
    renderer.preload([record])
    return json_response(200, {"data": [renderer.record(record, fields)]})


def _external_to_id(org, module, header, value) -> str:
    """`X-EXTERNAL: Accounts.Xero_Contact_ID`: the path names the record by that external field's value."""
    target, _, name = header.partition(".")
    field = field_map(module).get(name)
    if target != module or field is None or not field.external:
        raise ZohoError("INVALID_DATA", "The value of the external field is invalid.",
                        {"api_name": name or header, "param_name": "X-EXTERNAL"})
    record = records.live(org, module).filter(**{f"data__{name}": value}).first()
    return str(record.zid) if record else "0"


@endpoint(lambda request, module: (f"modules.{module.lower()}", "CREATE"), methods=("POST",),
          heavy=_is_heavy_write)
def upsert(request, module):
    module = module_or_error(module)
    body, items, triggers = _write_items(request, module, mode="upsert")
    if not _has_update_scope(request, module):
        raise ZohoError("OAUTH_SCOPE_MISMATCH", "Unauthorized", status=401)
    check = body.get("duplicate_check_fields")
    if check is None:
        check = [SYSTEM_DUPLICATE_KEY[module]]
    allowed = set(unique_fields(module)) | {SYSTEM_DUPLICATE_KEY[module]}
    if not isinstance(check, list) or not check or any(not isinstance(name, str) or name not in allowed
                                                        for name in check):
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "duplicate_check_fields",
                                                         "json_path": "$.duplicate_check_fields",
                                                         "supported_values": sorted(allowed)})
    results = records.write(request.zoho_org, request.zoho_user, module, items, mode="upsert", triggers=triggers,
                            duplicate_check_fields=check)
    return json_response(status_of(results), {"data": results})


def _has_update_scope(request, module):
    from .oauth import has_scope

    return has_scope(request.zoho_token.scope, f"modules.{module.lower()}", "UPDATE")


@endpoint(lambda request, module: (f"modules.{module.lower()}", "READ"))
def deleted(request, module):
    module = module_or_error(module)
    status, body = listing.deleted_records(request.zoho_org, request.zoho_user, module, request.GET,
                                           request.headers.get("If-Modified-Since"))
    return json_response(status, body)


@endpoint(lambda request, module: (f"modules.{module.lower()}", "READ"))
def search(request, module):
    module = module_or_error(module)
    status, body = listing.search(request.zoho_org, request.zoho_user, module, request.GET)
    return json_response(status, body)


@endpoint(lambda request, module: (f"modules.{module.lower()}", "READ"))
def count(request, module):
    module = module_or_error(module)
    return json_response(200, listing.count(request.zoho_org, module, request.GET))


def _coql_scope(request):
    return "coql", "READ"


@endpoint(_coql_scope, methods=("POST",), heavy=lambda request: True)
def coql_view(request):
    body = body_of(request)
    query = body.get("select_query")
    module = _module_in_query(query)
    if module is not None:
        from .oauth import require_scope

        require_scope(request.zoho_token, f"modules.{module.lower()}", "READ")
    status, data, credits = coql.run(request.zoho_org, request.zoho_user, query)
    request.zoho_credits = credits
    return json_response(status, data)


def _module_in_query(query):
    match = re.search(r"\bfrom\s+([A-Za-z_]+)", query if isinstance(query, str) else "", re.IGNORECASE)
    if match and subform.is_subform(match.group(1)):
        return subform.PARENT_MODULE  # a subform is read with its parent module's scope
    return canonical_module(match.group(1)) if match else None


def _watch_scope(request):
    return "notifications", {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "PATCH": "UPDATE",
                             "DELETE": "DELETE"}[request.method]


@endpoint(_watch_scope, methods=("GET", "POST", "PUT", "PATCH", "DELETE"))
def watch_view(request):
    org = request.zoho_org
    if request.method == "GET":
        channels = watch.listing(org, channel_id=request.GET.get("channel_id"), module=request.GET.get("module"))
        if not channels:
            return json_response(204, None)
        return json_response(200, {"watch": channels, "info": {"per_page": 200, "page": 1, "count": len(channels),
                                                               "more_records": False}})
    if request.method == "DELETE":
        ids = [part.strip() for part in request.GET.get("channel_ids", "").split(",") if part.strip()]
        if not ids:
            raise required_param("channel_ids")
        results = watch.disable(org, ids)
        return json_response(_watch_status(results, 200), {"watch": results})
    items = body_of(request).get("watch")
    if not isinstance(items, list) or not items:
        raise ZohoError("MANDATORY_NOT_FOUND", "required field not found", {"api_name": "watch",
                                                                            "json_path": "$.watch"})
    if len(items) > 50:
        raise ZohoError("LIMIT_EXCEEDED", "limit exceeded", {"limit": 50, "api_name": "watch"})
    if request.method == "POST":
        results = watch.enable(org, items)
        ok_status = 201
    else:
        results = watch.update(org, items, replace=request.method == "PUT")
        ok_status = 200
    return json_response(_watch_status(results, ok_status), {"watch": results})


def _watch_status(results, ok_status):
    """notifications.json: every channel done gives 201 (POST) / 200; any channel failing gives 202 with the
    per-channel results (`WrappedErrorResponse`), also when all failed; 400 is for request-level errors only."""
    return ok_status if all(result["status"] == "success" for result in results) else 202


def _settings_scope(area):
    return lambda request, **kwargs: (f"settings.{area}", "READ")


@endpoint(_settings_scope("fields"))
def fields_view(request, field_id=None):
    name = request.GET.get("module")
    if not name:
        raise required_param("module")
    module = canonical_module(name) or (SUBFORM_MODULE if name.lower() == SUBFORM_MODULE.lower() else None)
    if module is None:  # fields.json's InvalidParamError: INVALID_MODULE naming the parameter
        raise ZohoError("INVALID_MODULE", "the module name given seems to be invalid", {"api_name": "module"})
    kind = request.GET.get("type", "all") or "all"
    if kind not in ("all", "used", "unused"):  # fields.json's InvalidValueError
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "type", "json_path": "type",
                                                         "supported_values": ["all", "used", "unused"]})
    body = metadata.fields_body(module, request.zoho_org, kind)
    if field_id is not None:
        body = {"fields": [f for f in body["fields"] if f["id"] == field_id or f["api_name"] == field_id]}
        if not body["fields"]:
            raise ZohoError("INVALID_DATA", "the id given seems to be invalid",
                            {"api_name": "field", "json_path": "field", "id": field_id}, status=400)
    return json_response(200 if body["fields"] else 204, body if body["fields"] else None)


@endpoint(_settings_scope("modules"))
def modules_view(request, api_name=None):
    if api_name is None:
        return json_response(200, metadata.modules_body(request.zoho_org))
    module = canonical_module(api_name) or next(
        (name for name in MODULES if MODULE_IDS[name] == api_name), None)
    if module is None and (subform.is_subform(api_name) or api_name == MODULE_IDS[SUBFORM_MODULE]):
        module = SUBFORM_MODULE
    if module is None:
        raise ZohoError("INVALID_MODULE", "the module name given seems to be invalid",
                        {"resource_path_index": 3})
    body = metadata.module_body(module, request.zoho_org)
    body["fields"] = metadata.fields_body(module, request.zoho_org)["fields"]
    return json_response(200, {"modules": [body]})


@endpoint(lambda request: ("org", "READ"))
def org_view(request):
    return json_response(200, metadata.org_body(request.zoho_org))


@endpoint(lambda request: ("org", "READ"))
def taxes_view(request):
    body = metadata.taxes_body(request.zoho_org)
    has_taxes = bool(body["org_taxes"]["taxes"])
    return json_response(200 if has_taxes else 204, body if has_taxes else None)


USER_TYPES = ("AllUsers", "ActiveUsers", "CurrentUser", "ActiveConfirmedUsers", "DeactiveUsers",
              "NotConfirmedUsers", "ConfirmedUsers", "AdminUsers", "ActiveConfirmedAdmins")


@endpoint(lambda request, **kwargs: ("users", "READ"))
def users_view(request, user_id=None):
    users = User.objects.filter(org=request.zoho_org).select_related("org").order_by("zid")
    if user_id is not None:
        users = users.filter(zid=int(user_id)) if is_id(user_id) else users.none()
    else:
        kind = request.GET.get("type", "AllUsers") or "AllUsers"
        if kind not in USER_TYPES:
            raise invalid_param("type", supported_values=list(USER_TYPES))
        if kind == "CurrentUser":
            users = users.filter(pk=request.zoho_user.pk)
        elif kind in ("DeactiveUsers", "NotConfirmedUsers"):
            users = users.none()
    per_page, page = listing.per_page_of(request.GET), listing.page_of(request.GET)
    chunk = list(users[(page - 1) * per_page: page * per_page + 1])
    more, chunk = len(chunk) > per_page, chunk[:per_page]
    if not chunk:
        return json_response(204, None)
    return json_response(200, {"users": [metadata.user_body(user) for user in chunk],
                               "info": {"per_page": per_page, "count": len(chunk), "page": page,
                                        "more_records": more}})


def _bulk_scope(request, **kwargs):
    return "bulk", "READ"


@endpoint(_bulk_scope, methods=("POST",))
def bulk_read_create(request):
    """POST /crm/bulk/v8/read (scope ZohoCRM.bulk.READ plus the module's READ)."""
    bulk.require_enabled()
    body = body_of(request)
    query = body.get("query")
    if isinstance(query, dict) and query.get("module"):
        from .oauth import require_scope

        require_scope(request.zoho_token, f"modules.{bulk.module_of(query).lower()}", "READ")
    answer = bulk.create(request.zoho_org, request.zoho_user, body)
    request.zoho_credits = bulk.credits_per_job()
    return json_response(201, answer)


@endpoint(_bulk_scope)
def bulk_read_job(request, job_id):
    bulk.require_enabled()
    return json_response(200, bulk.poll(request.zoho_org, request.zoho_user, job_id))


@endpoint(_bulk_scope)
def bulk_read_result(request, job_id):
    bulk.require_enabled()
    name, content = bulk.result(request.zoho_org, job_id)
    response = HttpResponse(content, content_type="application/x-download")  # bulk_read.json's media type
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@csrf_exempt
def not_found(request, dc="", rest=""):
    """Any other URL of the emulator answers Zoho's JSON `INVALID_URL_PATTERN` (404), never an HTML page."""
    return invalid_url().response()
