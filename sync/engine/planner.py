"""Decide what to write where: source records + links + settings + the target's state -> operations.

For each source record (in a deterministic order: by id):

1. Not linked yet: look for the same record on the target side before creating (`matching`): a match is linked
   (and updated when its values differ and Update is on); otherwise it is created when Create is on and, Zoho ->
   Xero, when the organisation's routing rule takes it (`Policy.route`; not taken: skipped quietly).
2. Linked: a snapshot older than the version last synced (read before another run wrote the record) is skipped
   quietly, so a run never writes stale data. Otherwise the record changed at the source when its modification time is not the one we last saw or wrote
   *and* its mapped values' fingerprint differs from the last one. Unchanged records (and our own writes
   coming back) are skipped quietly: no echo. If the target changed too, the module's conflict policy decides,
   and the losing values go to the audit entry.
3. Deleted at the source: the module's delete rule (see `deletes`), only when Delete is switched on, and only for
   deletions made since it was (`deleted_ids` may map each id to the time the source gives for its deletion).

Module rules: Xero contact names (`names`), invoice statuses and currencies (`invoice_rules`). Before a create or
update is planned as a write, what the target would refuse is failed here, with its reason, and never sent
(`xero_checks`: the mapping catalogue's mandatory values and lengths; `zoho_checks`: Zoho's field metadata), so
every trigger and the dry run refuse the same records in the same words.
"""

from django.utils.translation import gettext_noop

from . import invoice_rules, matching, messages, names, xero_checks, zoho_checks
from .deletes import plan_delete
from .fingerprint import differences, fingerprint, parse_time, same_time
from .modules import XERO, ZOHO, ModuleSpec, sides
from .operations import (
    CREATE,
    MATCH,
    MOST_RECENT,
    SIDE_LABELS,
    UPDATE,
    XERO_WINS,
    ZOHO_WINS,
    DependencyMissing,
    LinkIndex,
    Operation,
    Policy,
    TransformError,
    Transforms,
)

# Message ids: the audit log translates these parameter values when it shows the entry.
POLICY_LABELS = {
    ZOHO_WINS: gettext_noop("Zoho CRM wins"),
    XERO_WINS: gettext_noop("Xero wins"),
    MOST_RECENT: gettext_noop("most recent change wins"),
}


def sort_key(record_id: str):
    text = str(record_id)
    return (0, len(text), text) if text.isdigit() else (1, 0, text)


def is_deleted_record(spec: ModuleSpec, side: str, record: dict) -> bool:
    """Xero records that stand for a deletion: archived contacts, voided or deleted invoices."""
    if side != XERO:
        return False
    if spec.key == "accounts":
        return record.get("ContactStatus") == "ARCHIVED"
    if spec.key == "invoices":
        return record.get("Status") in ("VOIDED", "DELETED")
    return False


class Planner:
    def __init__(
        self,
        spec: ModuleSpec,
        direction: str,
        *,
        links: LinkIndex,
        targets: dict[str, dict],
        candidates: list[dict],
        policy: Policy,
        transforms: Transforms,
    ):
        self.spec, self.direction = spec, direction
        self.source_side, self.target_side = sides(direction)
        self.links, self.targets, self.policy, self.transforms = links, targets, policy, transforms
        self.forward = transforms.towards(self.target_side)
        self.backward = transforms.towards(self.source_side)
        self.candidates = matching.CandidateIndex(spec, self.target_side, candidates, links)
        self.names = names.NameBook(candidates, links) if self._renames() else None

    def _renames(self) -> bool:
        return self.spec.key == "accounts" and self.target_side == XERO

    def _labels(self) -> dict:
        return {"source": SIDE_LABELS[self.source_side], "target": SIDE_LABELS[self.target_side]}

    # -- entry point ---------------------------------------------------------------------------------------

    def plan(self, sources: list[dict], deleted_ids=()) -> list[Operation]:
        operations = []
        for record in sorted(sources, key=lambda r: sort_key(self.spec.record_id(self.source_side, r))):
            if is_deleted_record(self.spec, self.source_side, record):
                operations.append(self._plan_delete(self.spec.record_id(self.source_side, record), record))
            else:
                operations.append(self._plan_record(record))
        times = deleted_ids if isinstance(deleted_ids, dict) else {}  # {id: deletion time} when the source says
        for record_id in sorted({str(i) for i in deleted_ids}, key=sort_key):
            operations.append(self._plan_delete(record_id, None, times.get(record_id)))
        return operations

    # -- one record ----------------------------------------------------------------------------------------

    def _new(self, action: str, record: dict | None, record_id: str) -> Operation:
        operation = Operation(
            module=self.spec.key,
            direction=self.direction,
            action=action,
            source_id=str(record_id),
            name=self.spec.name(self.source_side, record) if record else "",
            source=record,
        )
        operation.params.update(self._labels())
        if record:
            operation.source_modified = self.spec.modified(self.source_side, record)
        return operation

    def _payload(self, operation: Operation, record: dict) -> dict | None:
        try:
            return project(self.spec, self.target_side, self.forward, record, self.links)
        except DependencyMissing as error:
            operation.fail(
                messages.DEPENDENCY_MISSING,
                dependency=error.dependency,
                name=error.name or error.zoho_id,
                zoho_id=error.zoho_id,
            )
        except TransformError as error:
            operation.transform_failed(error)
        return None

    def _plan_record(self, record: dict) -> Operation:
        source_id = self.spec.record_id(self.source_side, record)
        link = self.links.get(self.source_side, source_id)
        operation = self._new(CREATE, record, source_id)
        operation.link = link
        if link is not None and link.state == "deleted":
            return operation.skip(quiet=True)
        if link is None and self.spec.key == "invoices" and not self._routed(operation):
            return self._not_routed(operation)  # another ledger's invoice: not mapped, not matched here
        payload = self._payload(operation, record)
        if payload is None:
            return operation
        operation.payload = payload
        operation.source_fingerprint = fingerprint(payload)
        if link is None:
            return self._plan_unlinked(operation)
        return self._plan_linked(operation, link)

    def _not_routed(self, operation: Operation) -> Operation:
        # not this organisation's record (routing rule): no write; quietly unless someone asked for it
        return operation.skip(messages.NOT_ROUTED, quiet=self.policy.route_quiet,
                              organisation=self.policy.organisation_name)

    def _routed(self, operation: Operation) -> bool:
        return self.target_side != XERO or self.policy.route is None or self.policy.route(operation.source)

    def _plan_unlinked(self, operation: Operation) -> Operation:
        match, rule = self.candidates.find(operation.payload, operation.source_id, operation.source)
        if match is not None:
            target_id = self.spec.record_id(self.target_side, match)
            self.candidates.claim(target_id)
            operation.target_id, operation.target, operation.matched_by = target_id, match, rule
            operation.params["rule"] = matching.RULE_LABELS.get(rule, rule)
            self._keep_owner_marker(operation, match)
            self._fill_target_state(operation, match)
            locked = self._locked(operation, match)
            shared = self._owned_elsewhere(operation, match)
            if locked or shared or not self.policy.update or not differences(operation.payload, match):
                operation.action, operation.message_key = MATCH, messages.MATCHED
                if locked:
                    operation.message_key = locked
                return operation
            operation.action, operation.message_key = UPDATE, messages.MATCHED_AND_UPDATED
            return self._check_write(operation)
        if not self._routed(operation):
            return self._not_routed(operation)
        if not self.policy.create:
            return operation.skip(messages.CREATE_OFF)
        operation.action, operation.message_key = CREATE, messages.CREATED
        return self._check_write(operation)

    def _plan_linked(self, operation: Operation, link) -> Operation:
        operation.target_id = link.id_on(self.target_side)
        if self._stale(operation, link):
            return operation.skip(quiet=True)
        if self.policy.reread is not None and self._ambiguous(operation, link):
            operation.recheck = True
            return operation.skip(quiet=True)
        changed = self._source_changed(operation, link)
        if not changed:
            return operation.skip(quiet=True)
        target = self.targets.get(operation.target_id)
        if target is None:
            return operation.skip(messages.TARGET_GONE)
        operation.target = target
        self._keep_owner_marker(operation, target)
        self._fill_target_state(operation, target)
        locked = self._locked(operation, target)
        if locked:
            return operation.skip(locked)
        if self._target_changed(operation, link, target):
            winner = self._winner(operation, target)
            operation.params["policy"] = POLICY_LABELS.get(self.policy.conflict, self.policy.conflict)
            diffs = {
                path: pair
                for path, pair in differences(operation.payload, target).items()
                if path not in ("ContactNumber", self.spec.zoho_xero_id_field)
            }
            if winner != self.source_side:
                operation.losing_values = _values(diffs, 0)
                return operation.skip(messages.CONFLICT_TARGET_WINS)
            operation.losing_values = _values(diffs, 1)
            operation.message_key = messages.CONFLICT_SOURCE_WINS
        if not self.policy.update:
            return operation.skip(messages.UPDATE_OFF)
        operation.action = UPDATE
        if not operation.message_key:
            operation.message_key = messages.UPDATED
        return self._check_write(operation)

    # -- change detection ----------------------------------------------------------------------------------

    def _stale(self, operation: Operation, link) -> bool:
        """The snapshot is older than the version of the record this link last saw or wrote (another run or
        trigger synced a newer one after this run read it): writing it would bring old values back. Compared as
        exactly as the provider gives them (Xero: milliseconds; Zoho: whole seconds, where a snapshot of the same
        second as the version seen is not called stale: it may be a later edit, see `_ambiguous`)."""
        seen = parse_time(link.modified_of(self.source_side))
        read = parse_time(operation.source_modified)
        return seen is not None and read is not None and read < seen

    def _ambiguous(self, operation: Operation, link) -> bool:
        """Other values than the link's, modified in the same second as the version the link saw or wrote: this
        snapshot may be the older of two edits within one second (another run synced the newer one after this run
        read it), which modification times cannot tell apart. Only a read under the lock can."""
        stored = link.fingerprint_of(self.source_side)
        seen = parse_time(link.modified_of(self.source_side))
        read = parse_time(operation.source_modified)
        return bool(stored) and operation.source_fingerprint != stored and seen is not None and read is not None \
            and int(read.timestamp()) == int(seen.timestamp())

    def _keep_owner_marker(self, operation: Operation, target: dict) -> None:
        """Xero -> Zoho: a Zoho record shared with another Xero organisation keeps that organisation's id in its
        Xero-id field (the owner's, see the `sync` docstring); this organisation does not overwrite it."""
        if self.target_side != ZOHO or not operation.payload:
            return
        field = self.spec.zoho_xero_id_field
        marker = str(target.get(field) or "")
        if marker and marker != str(operation.source_id) and field in operation.payload:
            operation.payload = {key: value for key, value in operation.payload.items() if key != field}

    def _owned_elsewhere(self, operation: Operation, target: dict) -> bool:
        """Xero -> Zoho: the matched Zoho record came from another Xero organisation (its Xero-id field holds that
        organisation's id). Linking is not a change: this ledger's values do not overwrite it (and through it the
        owner's ledger); this organisation's later changes do."""
        if self.target_side != ZOHO:
            return False
        marker = str(target.get(self.spec.zoho_xero_id_field) or "")
        return bool(marker) and marker != str(operation.source_id)

    def _source_changed(self, operation: Operation, link) -> bool:
        """Changed since we last saw or wrote it: by fingerprint of the mapped values when we have one (exact);
        by modification time otherwise (a provider that told us only the time of our own write)."""
        stored = link.fingerprint_of(self.source_side)
        if stored:
            if operation.source_fingerprint == stored:
                if operation.source_modified != link.modified_of(self.source_side):
                    operation.link_changes[f"{self.source_side}_modified_at"] = operation.source_modified
                return False
            return True
        if same_time(operation.source_modified, link.modified_of(self.source_side)):
            operation.link_changes[f"{self.source_side}_fingerprint"] = operation.source_fingerprint
            return False
        return True

    def _fill_target_state(self, operation: Operation, target: dict) -> None:
        operation.target_modified = self.spec.modified(self.target_side, target)
        try:
            operation.target_fingerprint = fingerprint(self.backward_payload(target))
        except TransformError:
            operation.target_fingerprint = ""

    def backward_payload(self, target: dict, zoho_id: str = "") -> dict:
        return project(self.spec, self.source_side, self.backward, target, self.links, zoho_id)

    def _target_changed(self, operation: Operation, link, target: dict) -> bool:
        stored = link.fingerprint_of(self.target_side)
        if stored:
            return operation.target_fingerprint != stored
        return not same_time(operation.target_modified, link.modified_of(self.target_side))

    def _winner(self, operation: Operation, target: dict) -> str:
        if self.policy.conflict == ZOHO_WINS:
            return ZOHO
        if self.policy.conflict == XERO_WINS:
            return XERO
        source_time = parse_time(operation.source_modified)
        target_time = parse_time(operation.target_modified)
        if source_time is None or target_time is None:
            return self.source_side if source_time else self.target_side
        return self.source_side if source_time >= target_time else self.target_side

    # -- module rules --------------------------------------------------------------------------------------

    def _locked(self, operation: Operation, target: dict) -> str:
        if self.target_side == XERO and self.spec.key == "invoices":
            message = invoice_rules.locked_message(target)
            if message:
                operation.params["status"] = target.get("Status")
            return message
        if self.target_side == XERO and self.spec.key == "accounts" and target.get("ContactStatus") == "ARCHIVED":
            return messages.TARGET_ARCHIVED
        return ""

    def _check_write(self, operation: Operation) -> Operation:
        if self.target_side == XERO and self.spec.key == "invoices":
            failure = invoice_rules.check_for_xero(operation, self.policy)
            if failure:
                return failure
        if self.target_side == XERO:  # what Xero would refuse (a product without a code): never sent
            xero_checks.keep_target_values(operation)
            failure = xero_checks.check_for_xero(operation)
            if failure:
                return failure
        if self.target_side == ZOHO:
            failure = zoho_checks.check_for_zoho(operation, self.policy.zoho_fields, self.spec.line_subform)
            if failure:
                return failure
        if self.names is not None and operation.action in (CREATE, UPDATE):
            self.names.assign(operation)
        return operation

    # -- deletes -------------------------------------------------------------------------------------------

    def _plan_delete(self, record_id: str, record: dict | None, deleted_at=None) -> Operation:
        operation = self._new(CREATE, record, record_id)
        link = self.links.get(self.source_side, record_id)
        operation.link = link
        if link is None or link.state == "deleted":
            return operation.skip(quiet=True)
        operation.name = operation.name or link.name
        operation.target_id = link.id_on(self.target_side)
        if record is not None:
            try:
                projected = project(self.spec, self.target_side, self.forward, record, self.links)
                status = record.get("ContactStatus") or record.get("Status")
                operation.source_fingerprint = fingerprint({**projected, "__deleted_as": status})
            except TransformError:
                operation.source_fingerprint = ""
        target = self.targets.get(operation.target_id)
        operation.target = target
        return plan_delete(operation, self.spec, self.target_side, target, self.policy, deleted_at)


def project(spec: ModuleSpec, to_side: str, transform, record: dict, links: LinkIndex, zoho_id: str = "") -> dict:
    """A record of one side mapped to `to_side`, with the engine's own keys: the fingerprint basis of a link."""
    payload = dict(transform(record) or {})
    from_side = XERO if to_side == ZOHO else ZOHO
    record_id = spec.record_id(from_side, record)
    if to_side == XERO:
        if spec.key == "accounts":
            payload["ContactNumber"] = record_id
    else:
        payload[spec.zoho_xero_id_field] = record_id
        if spec.key == "accounts":
            link = links.get(XERO, record_id)
            zoho_id = zoho_id or (link.zoho_id if link else "")
            if zoho_id:
                payload = names.strip_suffix(payload, spec.zoho_name_field, zoho_id)
    return payload


def _values(diffs: dict, index: int) -> dict:
    return {path: pair[index] for path, pair in diffs.items()}


def plan(spec, direction, sources, *, deleted_ids=(), links, targets, candidates, policy, transforms):
    """Plan one batch: see `Planner`."""
    planner = Planner(
        spec, direction, links=links, targets=targets, candidates=candidates, policy=policy, transforms=transforms
    )
    return planner.plan(sources, deleted_ids)
