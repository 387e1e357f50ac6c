"""Shared machinery of the accounting endpoints: list queries (where, order, paging, If-Modified-Since,
IDs, includeArchived), batch writes (summarizeErrors) and the Idempotency-Key."""

import dataclasses
import datetime
import functools
import json
import math

from django.db import IntegrityError, transaction
from django.http import HttpResponse

from sandbox import clock, config

from . import formats, where
from .models import IdempotencyRecord

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class Invalid(Exception):
    """Validation errors of one element (messages as Xero words them)."""

    def __init__(self, *messages):
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)


def flag(request, name: str, default: bool) -> bool:
    value = request.GET.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "yes")


def positive_int(request, name: str, default: int) -> int:
    value = request.GET.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise formats.PostDataInvalid(f"{name} must be a whole number.") from None
    return max(1, number)


def modified_since(request) -> datetime.datetime | None:
    header = request.headers.get("If-Modified-Since", "")
    return formats.parse_timestamp(header) if header else None


@dataclasses.dataclass
class ListQuery:
    fields: set[str]
    paged: bool = True
    modified_since: bool = True  # the spec has no If-Modified-Since on TaxRates

    def respond(self, request, collection: str, queryset, serialize, *, id_lookup: str = "pk"):
        """Filter, order and page `queryset` the way Xero does; serialize(record) gives the Xero dict."""
        try:
            predicate = where.parse(request.GET.get("where", ""), self.fields)
            order = where.order_key_parser(request.GET.get("order", ""), self.fields)
        except where.WhereError as error:
            return formats.query_parse_error(str(error))
        since = modified_since(request) if self.modified_since else None
        if since is not None:
            queryset = queryset.filter(updated_at__gt=since)
        ids = [v.strip() for v in request.GET.get("IDs", "").split(",") if v.strip()]
        if ids:
            queryset = queryset.filter(**{f"{id_lookup}__in": [i for i in ids if _uuid_like(i)]})
        if self.paged and predicate is None and not order and queryset.ordered:
            # Nothing to filter or sort in Python: page in the database and serialize only the page (the same
            # records in the same order; a 10,000-record list no longer costs 10,000 serializations per page).
            try:
                page = positive_int(request, "page", 1)
                size = min(MAX_PAGE_SIZE, positive_int(request, "pageSize", PAGE_SIZE))
            except formats.PostDataInvalid as error:
                return formats.post_data_invalid(str(error))
            count = queryset.count()
            pagination = {"page": page, "pageSize": size, "pageCount": math.ceil(count / size) if count else 0,
                          "itemCount": count}
            rows = [serialize(record) for record in queryset[(page - 1) * size: page * size]]
            return formats.json_response(formats.envelope(collection, rows, pagination))
        records = [serialize(record) for record in queryset]
        if predicate is not None:
            records = [r for r in records if predicate(r)]
        records = where.sort_records(records, order) if order else records
        if not self.paged:
            return formats.json_response(formats.envelope(collection, records))
        try:
            page = positive_int(request, "page", 1)
            size = min(MAX_PAGE_SIZE, positive_int(request, "pageSize", PAGE_SIZE))
        except formats.PostDataInvalid as error:
            return formats.post_data_invalid(str(error))
        count = len(records)
        pagination = {"page": page, "pageSize": size, "pageCount": math.ceil(count / size) if count else 0,
                      "itemCount": count}
        return formats.json_response(formats.envelope(collection, records[(page - 1) * size: page * size],
                                                      pagination))


def _uuid_like(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def read_elements(request, collection: str, *, single_ok: bool = True) -> list:
    """The elements of a PUT/POST body: {"Contacts": [...]}, or one bare element. Raises PostDataInvalid."""
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise formats.PostDataInvalid("The request body is not valid JSON.") from None
    if isinstance(body, dict) and collection in body:
        elements = body[collection]
        if not isinstance(elements, list):
            raise formats.PostDataInvalid(f"{collection} must be an array.")
    elif isinstance(body, dict) and single_ok and body:
        elements = [body]
    elif isinstance(body, list):
        elements = body
    else:
        elements = []
    if any(not isinstance(e, dict) for e in elements):
        raise formats.PostDataInvalid(f"Each element of {collection} must be an object.")
    return elements


def write_batch(request, collection: str, entity: str, elements: list, apply, *, error_flag: str | None,
                echo_defaults: dict | None = None):
    """Apply each element in its own savepoint; answer as Xero does with or without summarizeErrors.

    apply(element) -> serialized record (raises Invalid). Valid elements are saved even when others fail.
    error_flag is the schema's flag of an element in error (HasValidationErrors, HasErrors on invoices); None
    for a schema that has none (Item: StatusAttributeString and ValidationErrors only). echo_defaults fills the
    schema's required properties into the echo of a failed element that lacked them (an Item's Code is required,
    and xero-python refuses to build an Item without one).
    """
    if not elements:
        return formats.no_data(entity)
    summarize = flag(request, "summarizeErrors", True)
    results, failed = [], []
    for element in elements:
        try:
            with transaction.atomic(using="sandbox"):
                saved = apply(element)
        except Invalid as error:
            echo = {**(echo_defaults or {}), **element}
            if error_flag:
                echo[error_flag] = True
            echo["StatusAttributeString"] = "ERROR"
            echo["ValidationErrors"] = [{"Message": m} for m in error.messages]
            results.append(echo)
            failed.append(echo)
            continue
        saved = dict(saved)
        if error_flag:
            saved.setdefault(error_flag, False)
        saved["StatusAttributeString"] = "OK"
        results.append(saved)
    if failed and summarize:
        return formats.validation_exception(failed)
    return formats.json_response(formats.envelope(collection, results))


def handles_bad_data(view):
    """Turn PostDataInvalid (bad JSON, dates, numbers) into Xero's 400 PostDataInvalidException."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except formats.PostDataInvalid as error:
            return formats.post_data_invalid(str(error))

    return wrapped


def idempotent(view):
    """Idempotency-Key on PUT/POST: the same key again returns the first response and changes nothing."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if request.method not in ("PUT", "POST", "DELETE") or not key:
            return view(request, *args, **kwargs)
        if len(key) > 128:
            return formats.post_data_invalid("The Idempotency-Key must be at most 128 characters.")
        organisation = request.xero_org
        now = clock.now()
        retention = datetime.timedelta(seconds=int(config.get("xero.idempotency_retention", 86400)))
        IdempotencyRecord.objects.filter(organisation=organisation, key=key, created_at__lt=now - retention).delete()
        try:
            with transaction.atomic(using="sandbox"):
                record = IdempotencyRecord.objects.create(organisation=organisation, key=key, method=request.method,
                                                          path=request.path, created_at=now)
        except IntegrityError:
            previous = IdempotencyRecord.objects.filter(organisation=organisation, key=key).first()
            if previous is None:
                return formats.json_response({"Title": "Conflict", "Status": 409,
                                              "Detail": "Retry the request."}, status=409)
            if previous.method != request.method or previous.path != request.path:
                return formats.post_data_invalid("This Idempotency-Key was already used for another request.")
            if not previous.completed:
                return formats.json_response({"Title": "Conflict", "Status": 409,
                                              "Detail": "A request with this Idempotency-Key is in progress."},
                                             status=409)
            # The first response again, byte for byte. No marker header: Xero documents none, so a client
            # cannot tell a replay from the first answer (and the portal must not need to).
            return HttpResponse(bytes(previous.body), status=previous.status,
                                content_type="application/json; charset=utf-8")
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            record.delete()
            raise
        if response.status_code >= 500 or response.status_code == 429:
            record.delete()
        else:
            record.completed, record.status, record.body = True, response.status_code, response.content
            record.save(update_fields=["completed", "status", "body"])
        return response

    return wrapped
