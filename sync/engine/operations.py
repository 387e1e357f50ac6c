"""The planner's output: one Operation per source record, and the inputs it plans from."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

CREATE, UPDATE, DELETE, MATCH, SKIP = "create", "update", "delete", "match", "skip"
PLANNED, SUCCESS, FAILED, SKIPPED = "planned", "success", "failed", "skipped"

ZOHO_WINS, XERO_WINS, MOST_RECENT = "zoho_wins", "xero_wins", "most_recent"
SIDE_LABELS = {"zoho": "Zoho CRM", "xero": "Xero"}


class TransformError(ValueError):
    """A record that cannot be mapped; the message says what to fix. `message_key` and `params`: the whole
    translatable message (mapping.errors.MappingError's), shown in the reader's language."""

    def __init__(self, message: str = "", message_key: str = "", params: dict | None = None):
        super().__init__(message)
        self.message_key, self.params = message_key, dict(params or {})


class DependencyMissing(TransformError):
    """A referenced record (an invoice's account or product) has no counterpart on the target side."""

    def __init__(self, dependency: str, zoho_id: str, name: str = ""):
        super().__init__(f"{dependency} {zoho_id} is not linked")
        self.dependency, self.zoho_id, self.name = dependency, zoho_id, name


@dataclass
class Link:
    """A snapshot of a RecordLink (the engine never touches the ORM)."""

    zoho_id: str
    xero_id: str
    zoho_fingerprint: str = ""
    xero_fingerprint: str = ""
    zoho_modified_at: str = ""
    xero_modified_at: str = ""
    state: str = "linked"
    xero_code: str = ""
    name: str = ""
    matched_by: str = ""
    created_side: str = ""  # the side the portal created the record on ("" when matched)
    pk: object = None

    def id_on(self, side: str) -> str:
        return self.zoho_id if side == "zoho" else self.xero_id

    def fingerprint_of(self, side: str) -> str:
        return self.zoho_fingerprint if side == "zoho" else self.xero_fingerprint

    def modified_of(self, side: str) -> str:
        return self.zoho_modified_at if side == "zoho" else self.xero_modified_at


class LinkIndex:
    """Links of one module and Xero organisation, by the id on either side."""

    def __init__(self, links=()):
        self.by_zoho: dict[str, Link] = {}
        self.by_xero: dict[str, Link] = {}
        self._codes: dict[str, Link] | None = None
        for link in links:
            self.add(link)

    def add(self, link: Link) -> None:
        self.by_zoho[link.zoho_id] = link
        self.by_xero[link.xero_id] = link
        self._codes = None

    def linked_by_code(self, code: str) -> Link | None:
        """The first linked link (in by_zoho order) whose Xero code is `code`: what a scan of by_zoho finds,
        from an index built once per change of the links (an invoice's lines look items up by code, one by one,
        so a scan per line made a 10,000-item organisation cost 10,000 steps per line)."""
        if self._codes is None:
            self._codes = {}
            for link in self.by_zoho.values():
                if link.state == "linked" and link.xero_code:
                    self._codes.setdefault(link.xero_code, link)
        link = self._codes.get(code)
        if link is None:
            return None  # codes and the linked state are set through add(), which rebuilds the index
        if link.state == "linked" and link.xero_code == code and self.by_zoho.get(link.zoho_id) is link:
            return link
        self._codes = None  # the link changed in place (e.g. marked deleted): scan, and rebuild next time
        for candidate in self.by_zoho.values():
            if candidate.xero_code == code and candidate.state == "linked":
                return candidate
        return None

    def get(self, side: str, record_id: str) -> Link | None:
        return (self.by_zoho if side == "zoho" else self.by_xero).get(str(record_id))

    def __len__(self):
        return len(self.by_zoho)


@dataclass
class Policy:
    """The module's settings for one direction, and facts about the target organisation."""

    create: bool = True
    update: bool = True
    delete: bool = False
    delete_since: datetime | None = None  # when Delete was switched on: older deletions are never applied
    conflict: str = MOST_RECENT
    enabled_currencies: frozenset | None = None  # Xero organisation's currencies (None: not checked)
    organisation_name: str = ""
    today: date | None = None
    # Zoho -> Xero creates: whether this organisation takes a new (unlinked, unmatched) Zoho record (routing rule);
    # None: every record (dependencies of an invoice, Copy to Xero).
    route: Callable[[dict], bool] | None = None
    route_quiet: bool = True  # a record the rule does not take: no audit entry (an explicit Copy to Xero: one)
    zoho_fields: dict | None = None  # towards Zoho: the module's field metadata, checked before writing
    # Reads under the lock (sync.runs): `reread(ids)` reads source records again. A snapshot that cannot be told
    # from the version another run synced meanwhile (same modification second, other values) is read again and
    # planned from the fresh record, so an older read is never written. None: no re-reading (the dry run).
    reread: Callable[[list[str]], list[dict]] | None = None
    # Xero -> Zoho: those of the given Zoho ids that the portal created from another Xero organisation of the tenant.
    # Matching one links it without writing this ledger's values over it (and, through it, over the owner's ledger):
    # linking is not a change. None: none are (one organisation; records with an owner's Xero-id marker still are).
    owned_elsewhere: Callable[[set[str]], set[str]] | None = None


@dataclass
class Transforms:
    """Mapped values of a record for the other side: `to_xero(zoho_record)` and `to_zoho(xero_record)`."""

    to_xero: Callable[[dict], dict]
    to_zoho: Callable[[dict], dict]

    def towards(self, target_side: str) -> Callable[[dict], dict]:
        return self.to_xero if target_side == "xero" else self.to_zoho


@dataclass
class Operation:
    module: str
    direction: str
    action: str
    source_id: str
    name: str = ""
    target_id: str = ""
    payload: dict | None = None
    status: str = PLANNED
    message_key: str = ""
    params: dict = field(default_factory=dict)
    source_fingerprint: str = ""
    source_modified: str = ""
    target_fingerprint: str = ""
    target_modified: str = ""
    delete_mode: str = ""  # archive | delete | void | zoho
    matched_by: str = ""
    losing_values: dict | None = None
    quiet: bool = False  # nothing to tell the user (unchanged, our own echo): no audit entry
    recheck: bool = False  # the snapshot may be older than what the link saw: read it again (Policy.reread)
    link: Link | None = None
    link_changes: dict = field(default_factory=dict)  # link fields to store even without a write
    source: dict | None = None
    target: dict | None = None
    xero_code: str = ""
    error_code: str = ""
    error_message: str = ""
    response: dict | None = None
    record_id: str = ""  # the source record this operation came from, when not `source_id` (a person's Xero contact)
    nested: bool = False  # Zoho -> Xero: the payload is an element inside the parent's Xero record (a ContactPerson),
    # not a Xero record of its own (record checks of the module's Xero catalogue do not apply)

    @property
    def item_id(self) -> str:
        """The id of the source record a run's item holds (several operations may share it)."""
        return self.record_id or self.source_id

    @property
    def writes(self) -> bool:
        return self.status == PLANNED and self.action in (CREATE, UPDATE, DELETE)

    def skip(self, message_key: str = "", *, quiet: bool = False, **params) -> "Operation":
        self.action, self.status, self.message_key, self.quiet = SKIP, SKIPPED, message_key, quiet
        self.params.update(params)
        return self

    def transform_failed(self, error: Exception) -> "Operation":
        """Fail with the transform's own whole message; provider-free English text only as a last resort."""
        from . import messages

        key = getattr(error, "message_key", "")
        if key:
            return self.fail(key, **{k: v for k, v in error.params.items() if isinstance(v, str | int | float)})
        return self.fail(messages.TRANSFORM_FAILED_DETAIL, error_message=str(error))

    def refused(self, result) -> "Operation":
        """Fail with the provider's refusal: the translated message names the field (a Zoho api_name or a Xero
        catalogue path, shown by its label), its value and, for a duplicate, the conflicting record when the
        provider said which; the provider's own words go to the entry's details (error_message), never into it."""
        from . import messages, refusals

        code = result.error_code or "-"
        towards_xero = self.direction == "zoho_to_xero"
        refusal = (refusals.xero_refusal(self.module, result.error_message) if towards_xero
                   else refusals.zoho_refusal(result.response))
        if refusal is None:
            return self.fail(messages.PROVIDER_REFUSED_RECORD, error_code=result.error_code,
                             error_message=result.error_message, code=code)
        value = refusal.value or _payload_value(self.payload, refusal.field)
        params = {"field": refusal.field, "code": code, "value": value[:200]}
        conflict_id = refusal.conflict_id or getattr(result, "conflict_id", "")
        if conflict_id:  # Zoho names it in its answer; for Xero the gateway looked it up by the value
            params["conflict_id"] = conflict_id
        if getattr(result, "conflict_name", ""):
            params["conflict_name"] = result.conflict_name
        key = messages.PROVIDER_DUPLICATE if refusal.duplicate else messages.PROVIDER_REFUSED_FIELD
        line = refusals.line_of(self.payload, refusal.field, refusal.value) if towards_xero else None
        if line is not None and not refusal.duplicate:
            key, params["line"] = messages.PROVIDER_REFUSED_LINE, line
        return self.fail(key, error_code=result.error_code, error_message=result.error_message, **params)

    def fail(self, message_key: str, *, error_code: str = "", error_message: str = "", **params) -> "Operation":
        self.status, self.message_key = FAILED, message_key
        self.error_code, self.error_message = error_code, error_message
        self.params.update(params)
        return self


def _payload_value(payload, field: str) -> str:
    """The value a payload holds for a top-level field (a lookup's name, else its id); "" when none."""
    value = (payload or {}).get(field)
    if isinstance(value, dict):
        value = value.get("name") or value.get("id") or value.get("ContactID")
    return "" if value is None or isinstance(value, list | dict) else str(value)
