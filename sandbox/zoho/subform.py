"""The line items of invoices as their own module: `GET /crm/v8/Invoiced_Items` and COQL `from Invoiced_Items`.

Zoho's Subform API (v8 subforms.html) reads a subform by its API name (`GET /{subform_API_name}`, `fields`
mandatory, at most 50); each row carries `Parent_Id` (the invoice, as `{"id", "name"}`) and its `id`. The lines
live inside their invoice (`Record.data["Invoiced_Items"]`), so both paths flatten the live invoices' lines.
Rows come in (Parent_Id, id) order. With `zoho.bulk_read_paths` off the sandbox answers as an edition without
the subform API would: `INVALID_MODULE`.
"""

from sandbox import config

from .errors import ZohoError, invalid_module, required_param
from .listing import DISCRETE_LIMIT, MAX_FIELDS, page_of, per_page_of
from .records import live
from .render import Renderer
from .schema import SUBFORM_MODULE, field_map

PARENT_MODULE = "Invoices"
SYSTEM_COLUMNS = ("id", "Parent_Id")


def enabled() -> bool:
    return bool(config.get("zoho.bulk_read_paths", True))


def is_subform(name: str) -> bool:
    return (name or "").lower() == SUBFORM_MODULE.lower()


def require_enabled(resource_path_index: int = 2) -> None:
    if not enabled():
        raise invalid_module(resource_path_index)


def columns_of(raw: str) -> list[str]:
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    if not names:
        raise required_param("fields")
    if len(names) > MAX_FIELDS:
        raise ZohoError("LIMIT_EXCEEDED", "Max field limit exceeded",
                        {"param_name": "fields", "param": "fields", "limit": MAX_FIELDS})
    known = field_map(SUBFORM_MODULE)
    for name in names:
        if name not in known and name not in SYSTEM_COLUMNS:
            raise ZohoError("INVALID_DATA", "invalid data", {"api_name": name, "param_name": "fields"})
    return names


def rows(org, parent_ids=None):
    """(invoice record, line) of every live invoice's lines, in (Parent_Id, line id) order."""
    invoices = live(org, PARENT_MODULE)
    if parent_ids is not None:
        invoices = invoices.filter(zid__in=list(parent_ids))
    for record in invoices.order_by("zid").iterator(chunk_size=500):
        for line in sorted(record.data.get("Invoiced_Items") or [], key=lambda item: int(item["id"])):
            yield record, line


def raw_value(record, line, column):
    """A line's value for comparisons: ids as ints, lookups as their id."""
    if column == "id":
        return int(line["id"])
    if column == "Parent_Id":
        return record.zid
    return line.get(column)


def render_row(renderer: Renderer, record, line, columns, *, lookups_as_id_only=False) -> dict:
    fields = field_map(SUBFORM_MODULE)
    rendered = renderer.line(line)
    out = {}
    for column in columns:
        if column == "id":
            continue
        if column == "Parent_Id":
            out[column] = {"id": str(record.zid)} if lookups_as_id_only else {"id": str(record.zid),
                                                                             "name": record.name}
            continue
        value = rendered.get(column)
        if lookups_as_id_only and fields[column].data_type == "lookup" and value:
            value = {"id": value["id"]}
        out[column] = value
    out["id"] = str(line["id"])
    return out


def list_lines(org, user, params):
    """(status, body) of GET /crm/v8/Invoiced_Items."""
    require_enabled()
    columns = columns_of(params.get("fields", ""))
    per_page, page = per_page_of(params), page_of(params)
    offset = (page - 1) * per_page
    if offset + per_page > DISCRETE_LIMIT:
        raise ZohoError("DISCRETE_PAGINATION_LIMIT_EXCEEDED", "Cannot fetch more than 2000 records.",
                        {"limit": DISCRETE_LIMIT})
    chunk = []
    for index, pair in enumerate(rows(org)):
        if index >= offset + per_page + 1:
            break
        if index >= offset:
            chunk.append(pair)
    more, chunk = len(chunk) > per_page, chunk[:per_page]
    if not chunk:
        return 204, None
    renderer = Renderer(org, user.time_zone)
    renderer.preload([record for record, _ in chunk])
    data = [render_row(renderer, record, line, columns) for record, line in chunk]
    return 200, {"data": data, "info": {"per_page": per_page, "count": len(data), "page": page,
                                        "more_records": more}}
