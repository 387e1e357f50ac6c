"""Perform planned operations through a target gateway, then store links and audit entries.

Writes go to the gateway in one call per kind (create, update, delete); the gateway batches them (Xero 50,
Zoho 100 a call) and returns one result per element, so one bad record never fails its neighbours. Provider-wide
failures (rate limit, outage, revoked grant) propagate as exceptions: nothing of the batch is recorded, and the
caller retries it later (links and matching make the replay write nothing twice).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from .fingerprint import fingerprint
from .modules import XERO, ModuleSpec, sides
from .operations import CREATE, DELETE, FAILED, MATCH, SIDE_LABELS, SKIPPED, SUCCESS, UPDATE, Operation


@dataclass
class WriteResult:
    ok: bool
    target_id: str = ""
    record: dict | None = None  # the record as the provider returned it (Xero echoes the element)
    modified: str = ""  # the modification time the provider gave
    error_code: str = ""
    error_message: str = ""
    response: dict | None = None
    # a refused duplicate: the target's record that already holds the value, when the gateway found it
    conflict_id: str = ""
    conflict_name: str = ""


class Gateway(Protocol):
    """A provider seen by the engine. `module` is an engine module key (accounts, products, invoices)."""

    side: str

    def fetch(self, module: str, ids) -> dict[str, dict]: ...

    def candidates(self, module: str, payloads: list[dict]) -> list[dict]: ...

    def create(self, module: str, items: list[tuple[str, dict]]) -> list[WriteResult]: ...

    def update(self, module: str, items: list[tuple[str, str, dict]]) -> list[WriteResult]: ...

    def delete(self, module: str, items: list[tuple[str, str, str]]) -> list[WriteResult]: ...


class LinkStore(Protocol):
    def save_link(self, operation: Operation, fields: dict) -> None: ...

    def change_link(self, operation: Operation, fields: dict) -> None: ...


class AuditSink(Protocol):
    def record(self, operation: Operation) -> None: ...


def now_iso() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds")


class Executor:
    def __init__(self, spec: ModuleSpec, direction: str, *, gateway: Gateway, store: LinkStore, audit: AuditSink, project_back):
        """`project_back(target_record, zoho_id)` maps a target record back to the source side (planner.project)."""
        self.spec, self.direction = spec, direction
        self.source_side, self.target_side = sides(direction)
        self.gateway, self.store, self.audit, self.project_back = gateway, store, audit, project_back

    def execute(self, operations: list[Operation]) -> list[Operation]:
        creates = [op for op in operations if op.writes and op.action == CREATE]
        updates = [op for op in operations if op.writes and op.action == UPDATE]
        deletes = [op for op in operations if op.writes and op.action == DELETE]
        if creates:
            results = self.gateway.create(self.spec.key, [(op.source_id, op.payload) for op in creates])
            self._apply(creates, results)
        if updates:
            results = self.gateway.update(self.spec.key, [(op.source_id, op.target_id, op.payload) for op in updates])
            self._apply(updates, results)
        if deletes:
            results = self.gateway.delete(self.spec.key, [(op.source_id, op.target_id, op.delete_mode) for op in deletes])
            self._apply(deletes, results)
        for operation in operations:
            self._finish(operation)
        return operations

    # -- results -------------------------------------------------------------------------------------------

    def _apply(self, operations: list[Operation], results: list[WriteResult]) -> None:
        if len(results) != len(operations):
            raise RuntimeError(f"The gateway returned {len(results)} results for {len(operations)} writes")
        for operation, result in zip(operations, results, strict=True):
            operation.response = result.response
            if result.ok:
                operation.status = SUCCESS
                operation.target_id = result.target_id or operation.target_id
                operation.target = self._after(operation, result)
                operation.target_modified = result.modified or self.spec.modified(self.target_side, operation.target)
            else:
                operation.refused(result)

    def _after(self, operation: Operation, result: WriteResult) -> dict:
        """The target record as it is now (what the provider echoed, else what we know merged with what we wrote)."""
        if result.record:
            return result.record
        merged = {**(operation.target or {}), **(operation.payload or {})}
        if self.target_side == XERO:
            merged[self.spec.xero_id_field] = operation.target_id
            if result.modified:
                merged["UpdatedDateUTC"] = result.modified
        else:
            merged["id"] = operation.target_id
            if result.modified:
                merged["Modified_Time"] = result.modified
        return merged

    def _finish(self, operation: Operation) -> None:
        if operation.status == SUCCESS and operation.action in (CREATE, UPDATE):
            self.store.save_link(operation, self._link_fields(operation))
        elif operation.status == SUCCESS and operation.action == DELETE:
            self.store.change_link(operation, {"state": "deleted", "last_direction": self.direction})
        elif operation.action == MATCH and operation.status not in (FAILED, SKIPPED):
            operation.status = SUCCESS
            self.store.save_link(operation, self._link_fields(operation))
        elif operation.link is not None and operation.link_changes:
            self.store.change_link(operation, dict(operation.link_changes))
        if not operation.quiet:
            self.audit.record(operation)

    def _link_fields(self, operation: Operation) -> dict:
        zoho_id = operation.source_id if self.source_side == "zoho" else operation.target_id
        xero_id = operation.target_id if self.source_side == "zoho" else operation.source_id
        target = operation.target or {}
        try:
            target_fingerprint = fingerprint(self.project_back(target, zoho_id))
        except ValueError:  # TransformError: e.g. a reference the other side has not linked yet
            target_fingerprint = ""
        xero_record = target if self.target_side == XERO else (operation.source or {})
        fields = {
            "zoho_id": zoho_id,
            "xero_id": xero_id,
            f"{self.source_side}_fingerprint": operation.source_fingerprint,
            f"{self.source_side}_modified_at": operation.source_modified,
            f"{self.target_side}_fingerprint": target_fingerprint,
            f"{self.target_side}_modified_at": operation.target_modified,
            "name": (operation.name or "")[:255],
            "state": "linked",
            "last_direction": self.direction,
        }
        if operation.matched_by:
            fields["matched_by"] = operation.matched_by
        if operation.action == CREATE:
            fields["created_side"] = self.target_side
        code_key = {"products": "Code", "invoices": "InvoiceNumber"}.get(self.spec.key)
        if code_key and xero_record.get(code_key):
            fields["xero_code"] = str(xero_record[code_key])
        return fields


def label(side: str) -> str:
    return SIDE_LABELS[side]
