"""The record service: insert, update, upsert and delete, used by the API and the UI alike.

Every write checks the record (validation.Cleaner), stamps the sandbox clock, logs the workflow
triggers Zoho would have run, and queues watch notifications to fire after the commit.
"""

from decimal import Decimal

from django.db import transaction

from sandbox import clock

from . import notify
from .errors import RecordError
from .ids import is_id
from .models import ID_BASE, Activity, Counter, Record
from .schema import DISPLAY_FIELD, MODULE_IDS
from .timefmt import truncate
from .validation import Cleaner, compute_lines, invalid, mandatory, money

TRIGGERS = ("workflow", "approval", "blueprint", "pathfinder", "orchestration")
MAX_RECORDS = 100


def live(org, module):
    return Record.objects.filter(org=org, module=module, deleted_time__isnull=True)


def display_name(module: str, data: dict) -> str:
    if module == "Contacts":
        return " ".join(part for part in (data.get("First_Name"), data.get("Last_Name")) if part)
    return data.get(DISPLAY_FIELD[module]) or ""


def duplicate_of(org, module: str, field: str, value, exclude_zid=None):
    if value in (None, ""):
        return None
    found = live(org, module).filter(**{f"data__{field}__iexact": str(value)})
    if exclude_zid is not None:
        found = found.exclude(zid=exclude_zid)
    return found.select_related("owner").order_by("zid").first()


def duplicate_error(module, field, path, record) -> RecordError:
    return RecordError("DUPLICATE_DATA", "duplicate data", {
        "api_name": field, "json_path": path, "more_records": False,
        "duplicate_record": {"id": str(record.zid), "Owner": record.owner.minified(),
                             "module": {"api_name": module, "id": MODULE_IDS[module]}}})


class Writer:
    def __init__(self, org, user, module, *, source="api", triggers=None):
        self.org, self.user, self.module, self.source = org, user, module, source
        self.triggers = list(TRIGGERS[:3]) if triggers is None else list(triggers)
        self.cleaner = Cleaner(org, module)
        self.now = truncate(clock.now())
        self.events: list[tuple[str, str, list[str], dict]] = []
        self.activities: list[Activity] = []

    # One record ---------------------------------------------------------------------------------
    def clean(self, payload: dict, index: int, existing: Record | None) -> dict:
        if not isinstance(payload, dict):
            raise invalid("data", f"$.data[{index}]", expected_data_type="jsonobject")
        values = {}
        for name, field in self.cleaner.fields.items():
            if name in payload and not field.read_only:
                values[name] = self.cleaner.value(field, payload[name], f"$.data[{index}].{name}")
        current = dict(existing.data) if existing else {}
        merged = {**current, **{k: v for k, v in values.items() if k != "Owner"}}
        for name, field in self.cleaner.fields.items():
            if field.mandatory and (merged.get(name) in (None, "", [])):
                if existing is None or name in payload:
                    raise mandatory(name, f"$.data[{index}].{name}")
        for name, field in self.cleaner.fields.items():
            if field.unique and name in values:
                other = duplicate_of(self.org, self.module, name, values[name],
                                     exclude_zid=existing.zid if existing else None)
                if other is not None:
                    raise duplicate_error(self.module, name, f"$.data[{index}].{name}", other)
        return values

    def _store(self, record: Record, values: dict) -> list[str]:
        """Apply cleaned values; returns the API names that changed."""
        owner = values.pop("Owner", None)
        changed = [name for name, value in values.items() if record.data.get(name) != value]
        data = {**record.data, **values}
        if self.module == "Invoices" and "Invoiced_Items" in values:
            ids = iter(Counter.allocate(len(values["Invoiced_Items"]) or 1))
            lines, totals = compute_lines(values["Invoiced_Items"], ids)
            data["Invoiced_Items"] = lines
            data.update(totals)
        if self.module == "Invoices":
            data["Grand_Total"] = float(money(Decimal(str(data.get("Sub_Total") or 0)) - money(data.get("Discount"))
                                              + money(data.get("Tax")) + money(data.get("Adjustment"))))
        if self.module == "Contacts":
            data["Full_Name"] = display_name("Contacts", data)
        record.data = data
        record.name = display_name(self.module, data)[:255]
        if owner is not None and owner.pk != record.owner_id:
            record.owner = owner
            changed.append("Owner")
        record.modified_by, record.modified_time = self.user, self.now
        return changed

    def insert(self, payload, index) -> Record:
        values = self.clean(payload, index, None)
        zid = Counter.allocate(1)[0]
        record = Record(org=self.org, module=self.module, zid=zid, data={}, owner=self.user, created_by=self.user,
                        created_time=self.now)
        if self.module == "Invoices":  # an auto-number field
            values["Invoice_Number"] = f"INV-{Counter.allocate(1, name='invoice_number')[0] - ID_BASE:06d}"
        self._store(record, values)
        record.save()
        self._log(record, "insert", [])
        return record

    def update(self, record: Record, payload, index) -> Record:
        values = self.clean(payload, index, record)
        changed = self._store(record, values)
        record.save()
        self._log(record, "update", changed)
        return record

    def delete(self, record: Record) -> None:
        record.deleted_time, record.deleted_by = self.now, self.user
        record.save(update_fields=["deleted_time", "deleted_by"])
        self._log(record, "delete", [])

    def _log(self, record, operation, changed):
        self.events.append((operation, str(record.zid), changed, {k: record.data.get(k) for k in changed}))
        self.activities.append(Activity(org=self.org, module=self.module, record_zid=record.zid,
                                        operation=operation, source=self.source, triggers=self.triggers,
                                        at=self.now))

    def finish(self) -> None:
        Activity.objects.bulk_create(self.activities)
        notify.record_changes(self.org, self.module, self.events)

    # Responses ---------------------------------------------------------------------------------
    def success(self, record: Record, message: str, **extra) -> dict:
        tz = self.user.time_zone
        from .timefmt import fmt

        return {"code": "SUCCESS", **extra, "details": {
            "Modified_Time": fmt(record.modified_time, tz), "Modified_By": _user(record.modified_by),
            "Created_Time": fmt(record.created_time, tz), "id": str(record.zid),
            "Created_By": _user(record.created_by)}, "message": message, "status": "success"}


def _user(user) -> dict:
    return {"name": user.full_name, "id": str(user.zid)}


def write(org, user, module, items: list, *, mode: str, triggers=None, duplicate_check_fields=None,
          source="api") -> list[dict]:
    """Insert, update or upsert up to 100 records; one result per record, in order."""
    writer = Writer(org, user, module, source=source, triggers=triggers)
    results = []
    with transaction.atomic(using="sandbox"):
        for index, payload in enumerate(items):
            try:
                with transaction.atomic(using="sandbox"):
                    results.append(_write_one(writer, mode, payload, index, duplicate_check_fields))
            except RecordError as error:
                results.append(error.body())
        writer.finish()
    return results


def _write_one(writer: Writer, mode, payload, index, duplicate_check_fields) -> dict:
    if mode == "insert":
        return writer.success(writer.insert(payload, index), "record added")
    if mode == "update":
        record_id = payload.get("id") if isinstance(payload, dict) else None
        if record_id in (None, ""):
            raise mandatory("id", f"$.data[{index}].id")
        record = _existing(writer, record_id, index)
        return writer.success(writer.update(record, payload, index), "record updated")
    # upsert: the first duplicate-check field that matches an existing record decides.
    if isinstance(payload, dict) and payload.get("id") not in (None, ""):
        record = _existing(writer, payload["id"], index)
        return writer.success(writer.update(record, payload, index), "record updated", action="update",
                              duplicate_field=None)
    for name in duplicate_check_fields:
        value = payload.get(name) if isinstance(payload, dict) else None
        match = duplicate_of(writer.org, writer.module, name, value) if isinstance(value, str | int) else None
        if match is not None:
            record = writer.update(match, payload, index)
            return writer.success(record, "record updated", action="update", duplicate_field=name)
    return writer.success(writer.insert(payload, index), "record added", action="insert", duplicate_field=None)


def _existing(writer, record_id, index) -> Record:
    record = None
    if is_id(record_id):
        record = live(writer.org, writer.module).filter(zid=int(record_id)).select_related("owner").first()
    if record is None:
        raise invalid("id", f"$.data[{index}].id", "the id given seems to be invalid")
    return record


def delete(org, user, module, ids: list[str], *, source="api", wf_trigger=True) -> list[dict]:
    writer = Writer(org, user, module, source=source, triggers=list(TRIGGERS[:1]) if wf_trigger else [])
    results = []
    with transaction.atomic(using="sandbox"):
        for raw in ids:
            record = live(org, module).filter(zid=int(raw)).first() if is_id(raw) else None
            if record is None:
                results.append({"code": "INVALID_DATA", "details": {"id": raw}, "message": "record not deleted",
                                "status": "error"})
                continue
            writer.delete(record)
            results.append({"code": "SUCCESS", "details": {"id": raw}, "message": "record deleted",
                            "status": "success"})
        writer.finish()
    return results


def next_ids():
    """An endless id source for bulk seeding (allocates in blocks)."""
    while True:
        yield from Counter.allocate(500)

