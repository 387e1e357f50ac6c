"""The Bulk Read API (`/crm/bulk/v8/read`): create a job, poll it, download its result as a zipped CSV.

As Zoho documents it (v8 bulk-read overview, create-job, limitations; shared/specs/zoho/bulk_read.json):
one job exports one page of up to 200,000 records (`zoho.bulk_read_page_size`) of a module, ordered by id;
`page` 2 continues after the first page (or `page_token` from the result's `next_page_token`); the result is
a ZIP holding `<job id>.csv`, downloadable for one day; at most 10 downloads a minute per org (429).
The job state goes ADDED (create) -> IN PROGRESS (first poll) -> COMPLETED (a later poll, once
`zoho.bulk_read_seconds` have passed), so a client has to poll. With `zoho.bulk_read_paths` off every bulk
read call answers as an edition without the Bulk API: 400 `NOT_SUPPORTED_FEATURE`.
"""

import collections
import csv
import datetime
import io
import threading
import zipfile

from django.core import signing
from django.db.models import Q

from sandbox import clock, config

from .errors import ZohoError
from .ids import is_id
from .listing import field_path
from .models import BulkReadJob, Counter
from .records import live
from .render import Renderer
from .schema import MODULES, field_map, fields_of
from .subform import enabled
from .timefmt import fmt, parse_or_none

MAX_PAGE = 50  # bulk_read.json: Query.page is 1-50
DOWNLOADS_PER_MINUTE = 10
RESULT_LIFETIME = datetime.timedelta(days=1)
MAX_CRITERIA = 25
COMPARATORS = {"equal", "not_equal", "in", "not_in", "greater_than", "greater_equal", "less_than", "less_equal",
               "between", "not_between", "starts_with", "ends_with", "contains", "not_contains"}
TOKEN_SALT = "sandbox.zoho.bulk_read.page_token"

_downloads: dict[str, collections.deque] = collections.defaultdict(collections.deque)
_downloads_lock = threading.Lock()


def error(code: str, message: str, status: int = 400, **details) -> ZohoError:
    return ZohoError(code, message, details, status=status)


def require_enabled() -> None:
    if not enabled():
        raise error("NOT_SUPPORTED_FEATURE", "The Bulk API is not available in your edition.")


def page_size() -> int:
    return int(config.get("zoho.bulk_read_page_size", 200_000))


def credits_per_job() -> int:
    return int(config.get("zoho.bulk_read_credits", 50))


# Create --------------------------------------------------------------------------------------------------

def module_of(query: dict) -> str:
    raw = query.get("module")
    name = raw.get("api_name") if isinstance(raw, dict) else raw
    if not isinstance(name, str) or not name:
        raise error("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", api_name="module",
                    json_path="$.query.module")
    for module in MODULES:
        if module.lower() == name.lower():
            return module
    raise error("MODULE_NOT_SUPPORTED", "The module is not supported for bulk read.", api_name="module",
                json_path="$.query.module")


def fields_of_query(module: str, query: dict) -> list[str]:
    fields = query.get("fields")
    if fields in (None, []):
        return [f.api_name for f in fields_of(module) if f.data_type != "subform"]  # no list: every field
    if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
        raise error("INVALID_DATA", "invalid data", api_name="fields", json_path="$.query.fields")
    known = field_map(module)
    for index, name in enumerate(fields):
        if name == "id":
            continue
        if name not in known:
            raise error("FIELD_NOT_AVAILABLE", "The field is not available in the module.", api_name=name,
                        json_path=f"$.query.fields[{index}]")
        if known[name].data_type == "subform":
            raise error("FIELD_NOT_SUPPORTED", "Subform fields cannot be exported; read the subform module.",
                        api_name=name, json_path=f"$.query.fields[{index}]")
    if len(fields) > 200:  # more than 200: Zoho exports every field
        return [f.api_name for f in fields_of(module) if f.data_type != "subform"]
    return [name for name in fields if name != "id"]


def criteria_q(module: str, criteria, path="$.query.criteria", count=None) -> Q:
    count = count if count is not None else [0]
    if not isinstance(criteria, dict):
        raise error("INVALID_CRITERIA", "The criteria is not valid.", json_path=path)
    if "group" in criteria:
        operator = criteria.get("group_operator")
        if operator not in ("and", "or"):
            raise error("GROUP_OPERATOR_NOT_SUPPORTED", "The group operator is not supported.",
                        json_path=f"{path}.group_operator")
        group = criteria.get("group")
        if not isinstance(group, list) or not group:
            raise error("INVALID_CRITERIA", "The criteria is not valid.", json_path=f"{path}.group")
        result = None
        for index, item in enumerate(group):
            q = criteria_q(module, item, f"{path}.group[{index}]", count)
            result = q if result is None else (result & q if operator == "and" else result | q)
        return result
    count[0] += 1
    if count[0] > MAX_CRITERIA:
        raise error("CRITERIA_LIMIT_EXCEEDED", "At most 25 criteria are allowed.", limit=MAX_CRITERIA)
    name = criteria.get("api_name") or (criteria.get("field") or {}).get("api_name")
    comparator = criteria.get("comparator")
    if comparator not in COMPARATORS:
        raise error("INVALID_CRITERIA", "The comparator is not supported.", json_path=f"{path}.comparator")
    try:
        column, field = field_path(module, name or "")
    except ZohoError:
        raise error("FIELD_IN_CRITERIA_NOT_AVAILABLE", "The field in the criteria is not available.",
                    api_name=name, json_path=f"{path}.api_name") from None
    value = criteria.get("value")
    if comparator in ("in", "not_in", "between", "not_between"):
        if not isinstance(value, list) or not value or (comparator.endswith("between") and len(value) != 2):
            raise error("VALUE_TYPE_NOT_SUPPORTED", "The value type is not supported.", json_path=f"{path}.value")
        values = [_typed(name, field, v, path) for v in value]
        if comparator.endswith("in"):
            q = Q(**{f"{column}__in": values})
            return ~q if comparator == "not_in" else q
        q = Q(**{f"{column}__gte": values[0], f"{column}__lte": values[1]})
        return ~q if comparator == "not_between" else q
    typed = _typed(name, field, value, path)
    text = isinstance(typed, str)
    lookups = {"equal": "iexact" if text else "exact", "greater_than": "gt", "greater_equal": "gte",
               "less_than": "lt", "less_equal": "lte", "starts_with": "istartswith", "ends_with": "iendswith",
               "contains": "icontains"}
    if comparator == "not_equal":
        return ~Q(**{f"{column}__{'iexact' if text else 'exact'}": typed})
    if comparator == "not_contains":
        return ~Q(**{f"{column}__icontains": typed})
    return Q(**{f"{column}__{lookups[comparator]}": typed})


def _typed(name, field, value, path):
    if name in ("Created_Time", "Modified_Time"):
        moment = parse_or_none(value)
        if moment is None:
            raise error("VALUE_TYPE_NOT_SUPPORTED", "The value type is not supported.", json_path=f"{path}.value")
        return moment
    if name == "id" or (field is not None and field.data_type == "lookup"):
        if not is_id(str(value)):
            raise error("VALUE_TYPE_NOT_SUPPORTED", "The value type is not supported.", json_path=f"{path}.value")
        return int(value) if name == "id" else str(value)
    if field is not None and field.data_type in ("currency", "double", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise error("VALUE_TYPE_NOT_SUPPORTED", "The value type is not supported.", json_path=f"{path}.value")
        return value
    if field is not None and field.data_type == "boolean":
        if not isinstance(value, bool):
            raise error("VALUE_TYPE_NOT_SUPPORTED", "The value type is not supported.", json_path=f"{path}.value")
        return value
    if not isinstance(value, str):
        raise error("VALUE_TYPE_NOT_SUPPORTED", "The value type is not supported.", json_path=f"{path}.value")
    return value


def page_of(org, module: str, query: dict) -> int:
    token = query.get("page_token")
    if token:
        try:
            bound = signing.loads(str(token), salt=TOKEN_SALT)
        except signing.BadSignature:
            raise error("INVALID_DATA", "invalid data", api_name="page_token", json_path="$.query.page_token") \
                from None
        if bound.get("org") != org.zid or bound.get("module") != module:
            raise error("INVALID_DATA", "invalid data", api_name="page_token", json_path="$.query.page_token")
        return int(bound["page"])
    page = query.get("page", 1)
    if page is None:
        return 1
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise error("INVALID_DATA", "invalid data", api_name="page", json_path="$.query.page")
    if page > MAX_PAGE:
        raise error("PAGE_RANGE_EXCEEDED", "The page range exceeded.", limit=MAX_PAGE)
    return page


def check_callback(callback) -> dict | None:
    if callback is None:
        return None
    if not isinstance(callback, dict):
        raise error("INVALID_CALLBACK_URL", "The callback URL is not valid.", json_path="$.callback")
    url = callback.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise error("INVALID_CALLBACK_URL", "The callback URL is not valid.", json_path="$.callback.url")
    if str(callback.get("method", "")).lower() != "post":
        raise error("INVALID_CALLBACK_METHOD", "The callback method must be post.", json_path="$.callback.method")
    return {"url": url, "method": "post"}


def create(org, user, body: dict) -> dict:
    """POST /crm/bulk/v8/read: the job, validated (its records are read when it runs)."""
    if not body:
        raise error("REQUEST_BODY_IS_EMPTY", "The request body is empty.")
    query = body.get("query")
    if not isinstance(query, dict):
        raise error("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", api_name="query",
                    json_path="$.query")
    if query.get("cvid"):
        raise error("CVID_NOT_SUPPORTED", "Custom views are not emulated by the sandbox.", api_name="cvid")
    file_type = body.get("file_type", "csv")
    if file_type not in (None, "csv"):
        raise error("NOT_SUPPORTED_FEATURE", "Only CSV exports are emulated (ICS is for Events).",
                    api_name="file_type")
    module = module_of(query)
    fields = fields_of_query(module, query)
    criteria = query.get("criteria")
    if criteria is not None:
        criteria_q(module, criteria)
    page = page_of(org, module, query)
    callback = check_callback(body.get("callback"))
    job = BulkReadJob.objects.create(
        org=org, zid=Counter.allocate(1)[0], created_by=user, created_time=clock.now().replace(microsecond=0),
        query={"module": module, "fields": fields, "criteria": criteria, "page": page}, callback=callback)
    return {"data": [{"status": "success", "code": "ADDED_SUCCESSFULLY", "message": "Added successfully.",
                      "details": {"id": str(job.zid), "operation": "read", "state": job.state,
                                  "created_by": {"id": str(user.zid), "name": user.full_name},
                                  "created_time": fmt(job.created_time, user.time_zone)}}],
            "info": {}}


# Poll ----------------------------------------------------------------------------------------------------

def job_of(org, job_id: str, status: int = 404) -> BulkReadJob:
    job = BulkReadJob.objects.filter(org=org, zid=int(job_id)).first() if is_id(str(job_id)) else None
    if job is None:
        raise error("RESOURCE_NOT_FOUND", "The requested resource does not exist.", status=status,
                    resource="job_id")
    return job


def run(job: BulkReadJob) -> None:
    """Export the job's page of records into its CSV (what Zoho does in the background)."""
    module, fields, page = job.query["module"], job.query["fields"], job.query["page"]
    records = live(job.org, module)
    if job.query.get("criteria"):
        records = records.filter(criteria_q(module, job.query["criteria"]))
    size = page_size()
    chunk = list(records.order_by("zid")[(page - 1) * size: page * size + 1])
    job.more_records, chunk = len(chunk) > size, chunk[:size]
    renderer = Renderer(job.org, job.created_by.time_zone)
    renderer.preload(chunk)
    known = field_map(module)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", *fields])
    for record in chunk:
        writer.writerow([str(record.zid), *(_cell(renderer.value(record, known[name])) for name in fields)])
    job.csv, job.count = out.getvalue(), len(chunk)
    job.state, job.completed_time = "COMPLETED", clock.now().replace(microsecond=0)


def _cell(value) -> str:
    """A CSV cell: lookups and users as their id, multi-selects joined by `;`, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return str(value.get("id") or "")
    if isinstance(value, list):
        return ";".join(str(item.get("value") if isinstance(item, dict) else item) for item in value)
    return str(value)


def poll(org, user, job_id: str) -> dict:
    """GET /crm/bulk/v8/read/{job_id}: the job's details, with `result` once completed."""
    job = job_of(org, job_id)
    job.polls += 1
    if job.state == "ADDED":
        job.state = "IN PROGRESS"
    elif job.state == "IN PROGRESS":
        ready_at = job.created_time + datetime.timedelta(seconds=float(config.get("zoho.bulk_read_seconds", 0)))
        if clock.now() >= ready_at:
            run(job)
    job.save()
    detail = {"id": str(job.zid), "operation": "read", "state": job.state,
              "query": {"module": {"api_name": job.query["module"], "id": None}, "fields": job.query["fields"],
                        "page": job.query["page"], "cvid": None, "criteria": job.query.get("criteria")},
              "created_by": {"id": str(job.created_by.zid), "name": job.created_by.full_name},
              "created_time": fmt(job.created_time, user.time_zone), "file_type": "csv"}
    detail["result"] = None  # bulk_read.json's Job_Detail requires `result`: null until the job completes
    if job.state == "COMPLETED":
        detail["result"] = {
            "page": job.query["page"], "count": job.count, "per_page": page_size(),
            "download_url": f"/crm/bulk/v8/read/{job.zid}/result", "more_records": job.more_records,
            "next_page_token": signing.dumps({"org": org.zid, "module": job.query["module"],
                                              "page": job.query["page"] + 1}, salt=TOKEN_SALT)
            if job.more_records else None}
    return {"data": [detail]}


# Download ------------------------------------------------------------------------------------------------

def count_download(org) -> None:
    now = clock.now()
    with _downloads_lock:
        stamps = _downloads[str(org.zid)]
        while stamps and now - stamps[0] >= datetime.timedelta(minutes=1):
            stamps.popleft()
        if len(stamps) >= DOWNLOADS_PER_MINUTE:
            raise error("TOO_MANY_REQUESTS", "Only 10 downloads are allowed in a minute.", status=429)
        stamps.append(now)


def result(org, job_id: str) -> tuple[str, bytes]:
    """GET /crm/bulk/v8/read/{job_id}/result: (file name, ZIP bytes) of a completed job, for one day."""
    job = job_of(org, job_id, status=400)
    if job.state != "COMPLETED" or clock.now() - job.completed_time > RESULT_LIFETIME:
        raise error("RESOURCE_NOT_FOUND", "The result is not available.", resource="job_id")
    count_download(org)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{job.zid}.csv", job.csv)
    return f"{job.zid}.zip", buffer.getvalue()


def forget() -> None:
    with _downloads_lock:
        _downloads.clear()
