"""Get Records, Get Deleted Records, Search Records and the record count (zoho.md §2)."""

import datetime
import hashlib
import json
import re
import secrets

from django.db.models import Q

from sandbox import clock, config

from .errors import ZohoError, invalid_param, required_param
from .ids import is_id
from .models import PageToken, Record
from .records import live
from .render import Renderer
from .schema import field_map
from .timefmt import fmt, parse

MAX_FIELDS = 50
MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2000
TOKEN_LIMIT = 100_000
SORTABLE = {"id": "zid", "Created_Time": "created_time", "Modified_Time": "modified_time"}


def per_page_of(params, default=MAX_PER_PAGE) -> int:
    raw = params.get("per_page")
    if raw in (None, ""):
        return default
    if not is_id(raw) or int(raw) < 1:
        raise invalid_param("per_page")
    if int(raw) > MAX_PER_PAGE:
        raise ZohoError("LIMIT_EXCEEDED", "per_page cannot be greater than 200",
                        {"param_name": "per_page", "param": "per_page", "limit": MAX_PER_PAGE})
    return int(raw)


def page_of(params) -> int:
    raw = params.get("page", "1") or "1"
    if not is_id(raw) or int(raw) < 1:
        raise invalid_param("page")
    return int(raw)


def fields_param(module, params, *, required=True) -> list[str] | None:
    raw = params.get("fields", "")
    if not raw.strip():
        if required:
            raise required_param("fields")
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_FIELDS:
        raise ZohoError("LIMIT_EXCEEDED", "Max field limit exceeded",
                        {"param_name": "fields", "param": "fields", "limit": MAX_FIELDS})
    known = field_map(module)
    for name in names:
        if name != "id" and name not in known:
            raise ZohoError("INVALID_DATA", "invalid data", {"api_name": name, "param_name": "fields"})
    return names


def _binding(module, params, since) -> str:
    bound = {key: params.get(key, "") for key in ("fields", "sort_by", "sort_order", "per_page", "ids", "cvid")}
    bound["module"], bound["since"] = module, since or ""
    return hashlib.sha256(json.dumps(bound, sort_keys=True).encode()).hexdigest()


def list_records(org, user, module, params, if_modified_since: str | None):
    """(status, body) of GET /crm/v8/{module}."""
    fields = fields_param(module, params)
    per_page = per_page_of(params)
    sort_by = params.get("sort_by", "id") or "id"
    if sort_by not in SORTABLE:
        raise invalid_param("sort_by", supported_values=list(SORTABLE))
    sort_order = params.get("sort_order", "desc") or "desc"
    if sort_order not in ("asc", "desc"):
        raise invalid_param("sort_order", supported_values=["asc", "desc"])
    records = live(org, module)
    if if_modified_since:
        records = records.filter(modified_time__gte=parse(if_modified_since))
    if params.get("ids"):
        ids = [part.strip() for part in params["ids"].split(",") if part.strip()]
        if len(ids) > 100 or not all(is_id(part) for part in ids):
            raise invalid_param("ids")
        records = records.filter(zid__in=[int(part) for part in ids])
    column = SORTABLE[sort_by]
    records = records.order_by(column if sort_order == "asc" else f"-{column}",
                               "zid" if sort_order == "asc" else "-zid")
    binding = _binding(module, params, if_modified_since)
    token_value = params.get("page_token")
    if token_value:
        offset, page = _resume(user, module, token_value, binding)
    else:
        page = page_of(params)
        offset = (page - 1) * per_page
        if offset + per_page > DISCRETE_LIMIT:
            raise ZohoError("DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                            "Cannot fetch more than 2000 records. Use page_token to fetch more records.",
                            {"limit": DISCRETE_LIMIT})
    if offset + per_page > TOKEN_LIMIT:
        raise ZohoError("PAGINATION_LIMIT_EXCEEDED", "Cannot fetch more than 100000 records",
                        {"limit": TOKEN_LIMIT})
    chunk = list(records.select_related(None)[offset: offset + per_page + 1])
    more = len(chunk) > per_page
    chunk = chunk[:per_page]
    if not chunk:
        return (304 if if_modified_since else 204), None
    renderer = Renderer(org, user.time_zone)
    info = {"per_page": per_page, "count": len(chunk), "page": page, "sort_by": sort_by, "sort_order": sort_order,
            "more_records": more, "next_page_token": None, "previous_page_token": None,
            "page_token_expiry": None}
    if more:
        token, expires = _issue(user, module, binding, offset + per_page, page + 1)
        info["next_page_token"], info["page_token_expiry"] = token, fmt(expires, user.time_zone)
    if token_value:
        info["previous_page_token"] = token_value
    return 200, {"data": renderer.many(chunk, fields + (["id"] if "id" not in fields else [])), "info": info}


def _issue(user, module, binding, offset, page):
    expires = clock.now() + datetime.timedelta(seconds=config.get("zoho.page_token_lifetime", 86400))
    token = secrets.token_hex(24)
    PageToken.objects.create(token=token, user=user, module=module, binding=binding, offset=offset, page=page,
                             expires_at=expires)
    return token, expires


def _resume(user, module, value, binding) -> tuple[int, int]:
    token = PageToken.objects.filter(token=value).first()
    if token is None or token.user_id != user.pk:
        raise invalid_param("page_token")
    if token.expires_at <= clock.now():
        raise ZohoError("EXPIRED_VALUE", "The page token has expired", {"param_name": "page_token"})
    if token.module != module or token.binding != binding:
        raise ZohoError("TOKEN_BOUND_DATA_MISMATCH",
                        "The parameters do not match the ones the page token was issued for",
                        {"param_name": "page_token"})
    return token.offset, token.page


def deleted_records(org, user, module, params, if_modified_since):
    kind = params.get("type", "all") or "all"
    if kind not in ("all", "recycle", "permanent"):
        raise invalid_param("type", supported_values=["all", "recycle", "permanent"])
    per_page, page = per_page_of(params), page_of(params)
    records = Record.objects.filter(org=org, module=module, deleted_time__isnull=False)
    if kind == "permanent":
        records = records.none()  # the sandbox keeps deleted records in the recycle bin
    if if_modified_since:
        records = records.filter(deleted_time__gte=parse(if_modified_since))
    records = list(records.order_by("-deleted_time", "-zid")[(page - 1) * per_page: page * per_page + 1])
    more, records = len(records) > per_page, records[:per_page]
    if not records:
        return 204, None
    renderer = Renderer(org, user.time_zone)
    data = [{"deleted_by": renderer.user(record.deleted_by_id), "id": str(record.zid),
             "display_name": record.name, "type": "recycle",
             "created_by": renderer.user(record.created_by_id),
             "deleted_time": fmt(record.deleted_time, user.time_zone)} for record in records]
    return 200, {"data": data, "info": {"per_page": per_page, "count": len(data), "page": page,
                                        "more_records": more}}


# Search -------------------------------------------------------------------------------------------
CRITERION = re.compile(r"^\((?P<field>[A-Za-z0-9_.$]+):(?P<op>[a-z_]+):(?P<value>.*)\)$", re.S)
SEARCH_OPS = {"equals", "not_equal", "starts_with", "in", "greater_than", "greater_equal", "less_than",
              "less_equal", "between"}


def _split_top(text: str) -> list[str]:
    """Split '(a)and(b)or(c)' into ['(a)', 'and', '(b)', 'or', '(c)'] honouring \\ escapes."""
    parts, depth, current, index = [], 0, "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current += text[index: index + 2]
            index += 2
            continue
        if char == "(":
            if depth == 0 and current.strip():
                parts.append(current.strip())
                current = ""
            depth += 1
            current += char
        elif char == ")":
            depth -= 1
            current += char
            if depth < 0:
                raise invalid_query("the criteria is not well formed")
            if depth == 0:
                parts.append(current.strip())
                current = ""
        else:
            current += char
        index += 1
    if depth != 0:
        raise invalid_query("the criteria is not well formed")
    if current.strip():
        parts.append(current.strip())
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _values(raw: str) -> list[str]:
    return [_unescape(v) for v in re.split(r"(?<!\\),", raw)]


def parse_criteria(module: str, text: str, count=None) -> Q:
    text = text.strip()
    count = count if count is not None else [0]
    parts = _split_top(text)
    if len(parts) == 1:
        inner = parts[0]
        match = CRITERION.match(inner)
        if match and not inner[1:-1].lstrip().startswith("("):
            count[0] += 1
            if count[0] > CRITERIA_LIMIT:
                raise ZohoError("CRITERIA_LIMIT_EXCEEDED", f"no of criterium that can be given exceed the limit "
                                f"{CRITERIA_LIMIT}", {})
            return _criterion(module, match["field"], match["op"], match["value"])
        if inner.startswith("(") and inner.endswith(")"):
            return parse_criteria(module, inner[1:-1], count)
        raise invalid_query("the criteria is not well formed")
    result = parse_criteria(module, parts[0], count)
    for index in range(1, len(parts), 2):
        if index + 1 >= len(parts) or parts[index] not in ("and", "or"):
            raise invalid_query("the criteria is not well formed")
        other = parse_criteria(module, parts[index + 1], count)
        result = (result & other) if parts[index] == "and" else (result | other)
    return result


def field_path(module: str, name: str) -> tuple[str, object]:
    """ORM path of an API field name, and its Field (None for system columns)."""
    if name in ("id",):
        return "zid", None
    if name in SORTABLE:
        return SORTABLE[name], None
    base_name = name.split(".")[0]
    field = field_map(module).get(base_name)
    if field is None or field.data_type in ("subform", "ownerlookup"):
        raise ZohoError("INVALID_QUERY", SEARCH_INVALID, {"api_name": name, "reason": "unknown field"})
    return f"data__{base_name}", field


def _typed(field, name, raw: str):
    if name in ("Created_Time", "Modified_Time"):
        return parse(raw, "criteria")
    if name == "id":
        if not is_id(raw):
            raise invalid_query("invalid data type", api_name=name, expected_data_type="bigint")
        return int(raw)
    if field is not None and field.data_type in ("currency", "double", "integer"):
        try:
            return float(raw)
        except ValueError:
            raise invalid_query("invalid data type", api_name=name, expected_data_type=field.data_type) from None
    if field is not None and field.data_type == "boolean":
        return raw.lower() == "true"
    return raw


# module_search.json's INVALID_QUERY bodies: message "Invalid query formed"; details name the field
# (`api_name`) with the `reason` (and the `operator`, `value` or `expected_data_type` at fault). A criteria
# that cannot be parsed names no field: the documents are silent, so `api_name` and `param_name` name the
# parameter, `criteria` (the InvalidQuery_NoReason shape).
SEARCH_INVALID = "Invalid query formed"
CRITERIA_LIMIT = 15  # module_search.json: "no of criterium that can be given exceed the limit 15"


def invalid_query(reason: str, api_name: str = "", **details) -> ZohoError:
    named = {"api_name": api_name} if api_name else {"api_name": "criteria", "param_name": "criteria"}
    return ZohoError("INVALID_QUERY", SEARCH_INVALID, {"reason": reason, **named, **details})


UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[(),]")


def _check_escapes(name: str, op: str, raw_value: str) -> None:
    """Zoho wants `(`, `)` and `,` inside a value escaped with `\\`; a bare one is a malformed criteria (a
    comma separates the values of `in` and `between`)."""
    for match in UNESCAPED.finditer(raw_value):
        if match.group()[-1] != "," or op not in ("in", "between"):
            raise invalid_query("the criteria is not well formed: escape ( ) , in values with \\",
                                api_name=name, value=raw_value)


def _criterion(module, name, op, raw_value) -> Q:
    if op not in SEARCH_OPS:
        raise invalid_query("invalid operator found", operator=op, api_name=name)
    _check_escapes(name, op, raw_value)
    path, field = field_path(module, name)
    text_like = field is not None and field.json_type == "string" and field.data_type not in ("date",)
    if op in ("in", "between"):
        values = [_typed(field, name, v) for v in _values(raw_value)]
        if op == "in":
            if len(values) > 100:
                raise ZohoError("INVALID_QUERY", 'Only 100 values are allowed in "IN" criteria', {"api_name": name})
            query = Q()
            for value in values:
                query |= Q(**{f"{path}__iexact" if text_like else path: value})
            return query
        if len(values) != 2:
            raise invalid_query("the criteria is not well formed")
        return Q(**{f"{path}__gte": values[0], f"{path}__lte": values[1]})
    value = _typed(field, name, _unescape(raw_value))
    if op == "equals":  # on text fields Zoho's `equals` matches like "contains" (zoho.md §2 "Search")
        return Q(**{f"{path}__icontains" if text_like else path: value})
    if op == "not_equal":
        return ~Q(**{f"{path}__iexact" if text_like else path: value})
    if op == "starts_with":
        return Q(**{f"{path}__istartswith": value})
    lookup = {"greater_than": "gt", "greater_equal": "gte", "less_than": "lt", "less_equal": "lte"}[op]
    return Q(**{f"{path}__{lookup}": value})


def search_query(org, module, params):
    records = live(org, module)
    if params.get("criteria"):
        records = records.filter(parse_criteria(module, params["criteria"]))
    elif params.get("email"):
        email = params["email"].strip()
        emails = [f.api_name for f in field_map(module).values() if f.data_type == "email"]
        if not emails:
            raise invalid_param("email")
        query = Q()
        for name in emails:
            query |= Q(**{f"data__{name}__iexact": email})
        records = records.filter(query)
    elif params.get("phone"):
        phones = [f.api_name for f in field_map(module).values() if f.data_type == "phone"]
        query = Q()
        for name in phones:
            query |= Q(**{f"data__{name}__icontains": params["phone"].strip()})
        records = records.filter(query) if phones else records.none()
    elif params.get("word"):
        records = records.filter(name__icontains=params["word"].strip())
    else:  # module_search.json's Mandatory_Param_Missing
        raise ZohoError("EXPECTED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_names": ["criteria", "email", "phone", "word"]})
    return records


def search(org, user, module, params):
    fields = fields_param(module, params, required=False)
    per_page, page = per_page_of(params), page_of(params)
    if page * per_page > DISCRETE_LIMIT:
        # module_search.json's Max_records: the limit is a string there
        raise ZohoError("LIMIT_REACHED", "maximum response iteration limit reached", {"limit": str(DISCRETE_LIMIT)})
    records = list(search_query(org, module, params).order_by("zid")[(page - 1) * per_page: page * per_page + 1])
    more, records = len(records) > per_page, records[:per_page]
    if not records:
        return 204, None
    renderer = Renderer(org, user.time_zone)
    return 200, {"data": renderer.many(records, fields), "info": {
        "per_page": per_page, "count": len(records), "page": page, "more_records": more}}


def count(org, module, params) -> dict:
    if any(params.get(key) for key in ("criteria", "email", "phone", "word")):
        return {"count": search_query(org, module, params).count()}
    return {"count": live(org, module).count()}
