"""In-memory link store, audit sink and gateway: for unit tests and dry runs (no database, no HTTP)."""

import itertools

from .executor import WriteResult
from .modules import XERO, spec
from .operations import Link, LinkIndex


class MemoryLinkStore:
    """Links per module, in dicts. `for_module(module)` is the LinkStore the executor writes to."""

    def __init__(self):
        self.indexes: dict[str, LinkIndex] = {}

    def index_for(self, module: str) -> LinkIndex:
        return self.indexes.setdefault(module, LinkIndex())

    def for_module(self, module: str) -> "_ModuleLinks":
        return _ModuleLinks(self.index_for(module))


class _ModuleLinks:
    def __init__(self, index: LinkIndex):
        self.index = index

    def save_link(self, operation, fields):
        link = self.index.by_zoho.get(fields["zoho_id"]) or self.index.by_xero.get(fields["xero_id"])
        if link is None:
            link = Link(zoho_id=fields["zoho_id"], xero_id=fields["xero_id"])
        self.index.by_zoho.pop(link.zoho_id, None)
        self.index.by_xero.pop(link.xero_id, None)
        for key, value in fields.items():
            setattr(link, key, value)
        self.index.add(link)

    def change_link(self, operation, fields):
        if operation.link is None:
            return
        stored = self.index.by_zoho.get(operation.link.zoho_id, operation.link)
        for key, value in fields.items():
            if hasattr(stored, key):
                setattr(stored, key, value)


class MemoryAudit:
    def __init__(self):
        self.entries = []

    def record(self, operation):
        self.entries.append(
            {
                "module": operation.module,
                "direction": operation.direction,
                "action": operation.action,
                "status": operation.status,
                "name": operation.name,
                "source_id": operation.source_id,
                "target_id": operation.target_id,
                "message_key": operation.message_key,
                "params": dict(operation.params),
                "losing_values": operation.losing_values,
                "error": operation.error_message,
            }
        )


class MemoryGateway:
    """A provider with records in dicts; counts writes. `refuse(module, predicate, message)` makes it reject."""

    def __init__(self, side: str, records: dict[str, list[dict]] | None = None, clock=None):
        self.side = side
        self.records: dict[str, dict[str, dict]] = {}
        self.writes: list[tuple[str, str, str]] = []  # (kind, module, id)
        self.calls = 0
        self.refusals = []
        self._ids = itertools.count(1)
        self._clock = clock or itertools.count(1)  # share one between gateways to order changes
        for module, items in (records or {}).items():
            for record in items:
                self.records.setdefault(module, {})[self._id_of(module, record)] = dict(record)

    def _id_of(self, module, record) -> str:
        return str(record["id"] if self.side != XERO else record[spec(module).xero_id_field])

    def _stamp(self, record):
        tick = next(self._clock)
        stamp = f"2030-01-01T00:{tick // 60 % 60:02d}:{tick % 60:02d}+00:00"
        record["Modified_Time" if self.side != XERO else "UpdatedDateUTC"] = stamp
        return stamp

    def put(self, module, record) -> dict:
        """Create or change a record the way a user would (new modification time)."""
        record = dict(record)
        if self.side == XERO:
            record.setdefault(spec(module).xero_id_field, f"x-{next(self._ids)}")
        else:
            record.setdefault("id", str(1000 + next(self._ids)))
        self._stamp(record)
        self.records.setdefault(module, {})[self._id_of(module, record)] = record
        return record

    def refuse(self, module, predicate, message="refused"):
        self.refusals.append((module, predicate, message))

    def _refused(self, module, payload):
        for refused_module, predicate, message in self.refusals:
            if refused_module == module and predicate(payload):
                return message
        return None

    def fetch(self, module, ids):
        self.calls += 1
        store = self.records.get(module, {})
        return {str(i): dict(store[str(i)]) for i in ids if str(i) in store}

    def candidates(self, module, payloads):
        self.calls += 1
        return [dict(record) for record in self.records.get(module, {}).values()]

    def create(self, module, items):
        self.calls += 1
        results = []
        for _source_id, payload in items:
            message = self._refused(module, payload)
            if message:
                results.append(WriteResult(ok=False, error_code="INVALID", error_message=message))
                continue
            record = self.put(module, payload)
            self.writes.append(("create", module, self._id_of(module, record)))
            results.append(self._ok(module, record))
        return results

    def update(self, module, items):
        self.calls += 1
        results = []
        for _source_id, target_id, payload in items:
            message = self._refused(module, payload)
            current = self.records.get(module, {}).get(str(target_id))
            if message or current is None:
                results.append(WriteResult(ok=False, error_code="INVALID", error_message=message or "not found"))
                continue
            current.update(payload)
            self._stamp(current)
            self.writes.append(("update", module, str(target_id)))
            results.append(self._ok(module, current))
        return results

    def delete(self, module, items):
        self.calls += 1
        results = []
        for _source_id, target_id, mode in items:
            store = self.records.get(module, {})
            record = store.get(str(target_id))
            if record is None:
                results.append(WriteResult(ok=False, error_code="NOT_FOUND", error_message="not found"))
                continue
            if mode == "archive":
                record["ContactStatus"] = "ARCHIVED"
                self._stamp(record)
            elif mode == "void":
                record["Status"] = "VOIDED"
                self._stamp(record)
            elif mode == "delete" and module == "invoices":
                record["Status"] = "DELETED"
                self._stamp(record)
            else:
                del store[str(target_id)]
            self.writes.append((mode, module, str(target_id)))
            results.append(WriteResult(ok=True, target_id=str(target_id), record=dict(record)))
        return results

    def _ok(self, module, record):
        record = dict(record)
        modified = record.get("UpdatedDateUTC" if self.side == XERO else "Modified_Time", "")
        if self.side == XERO:
            return WriteResult(ok=True, target_id=self._id_of(module, record), record=record, modified=modified)
        # Zoho answers a write with the id and the modification time only.
        return WriteResult(ok=True, target_id=self._id_of(module, record), modified=modified)
