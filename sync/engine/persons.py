"""Zoho Contacts <-> contact persons of Xero contacts (issue 5/6).

- A Zoho contact with an Account becomes a ContactPerson (FirstName, LastName, EmailAddress, IncludeInEmails) of
  the Xero contact linked to that account. Xero replaces ContactPersons as a whole list on POST, so the engine
  sends the full merged list (persons it did not create are kept) in one write per Xero contact. A person is
  found in the list by its link (the key stored in `xero_code`), else by email address (matching before
  creating), else appended; a contact holds at most 5 persons (Xero's limit): a sixth is refused with a message.
- Xero -> Zoho: the persons of a Xero contact linked to an account become Zoho contacts under that account
  (matched by email before creating), and person changes update the linked Zoho contact.
- Link of a person: `zoho_id` = the Zoho contact id, `xero_id` = "<ContactID>:<Zoho contact id>", `xero_code` =
  the person's key in the list (email, else names). Both fingerprints are of the person's four values, so each
  change is written once and our own write coming back is recognised (no echo).
- Deletes (Delete switch): a deleted Zoho contact is removed from the person list.

A Zoho contact without an account becomes a Xero contact of its own: that path is the accounts engine's
(`sync.contacts_sync`), not this module.
"""

from django.utils.translation import gettext_noop

from . import messages
from .deletes import deleted_while_off
from .fingerprint import fingerprint
from .matching import RULE_LABELS
from .modules import CONTACTS, XERO, ZOHO, ZOHO_TO_XERO, sides
from .operations import (
    CREATE,
    DELETE,
    FAILED,
    MATCH,
    PLANNED,
    SIDE_LABELS,
    SKIPPED,
    SUCCESS,
    UPDATE,
    Operation,
    TransformError,
)
from .planner import sort_key

MAX_PERSONS = 5  # Xero: at most 5 contact persons per contact
PERSON_KEYS = ("FirstName", "LastName", "EmailAddress", "IncludeInEmails")
SEPARATOR = ":"

PERSONS_FULL = gettext_noop(
    "Not added to the Xero contact %(contact)s because it already has %(limit)s contact persons, the most Xero "
    "allows. Remove a contact person in Xero (or move this contact to another account), then resync."
)
ACCOUNT_MISSING = gettext_noop(
    "Not synced because its account (%(zoho_id)s) is not linked to a Xero contact yet and could not be synced "
    "first. Sync the account (see its entry), then resync this contact."
)
PERSON_REMOVED = gettext_noop("Deleted in %(source)s, so the contact person was removed from the Xero contact.")
MATCHED_BY_EMAIL = "email"


# -- persons -----------------------------------------------------------------------------------------------


def person_of(values: dict) -> dict:
    """The ContactPerson shape of mapped values (or of a Xero ContactPerson): four keys, empties dropped."""
    person = {}
    for key in PERSON_KEYS[:3]:
        value = values.get(key)
        if isinstance(value, str) and value.strip():
            person[key] = value.strip()
    person["IncludeInEmails"] = bool(values.get("IncludeInEmails"))
    return person


def person_key(person: dict) -> str:
    email = (person.get("EmailAddress") or "").strip().casefold()
    if email:
        return email
    names = " ".join(filter(None, (person.get("FirstName"), person.get("LastName"))))
    return "name:" + names.strip().casefold()


def person_fingerprint(person: dict) -> str:
    return fingerprint(person_of(person))


def person_link_id(contact_id: str, zoho_id: str) -> str:
    return f"{contact_id}{SEPARATOR}{zoho_id}"


def is_person_link(link) -> bool:
    return link is not None and SEPARATOR in str(link.xero_id)


def contact_of(link) -> str:
    return str(link.xero_id).split(SEPARATOR, 1)[0]


def account_id_of(zoho_contact: dict) -> str:
    account = zoho_contact.get("Account_Name")
    if isinstance(account, dict):
        return str(account.get("id") or "")
    return str(account or "")


def full_name(zoho_contact: dict) -> str:
    return str(
        zoho_contact.get("Full_Name")
        or " ".join(filter(None, (zoho_contact.get("First_Name"), zoho_contact.get("Last_Name"))))
        or zoho_contact.get("id")
        or ""
    )


def _find(persons: list[dict], key: str) -> int:
    for index, person in enumerate(persons):
        if person_key(person) == key:
            return index
    return -1


def _operation(direction, action, source_id, name) -> Operation:
    source, target = sides(direction)
    operation = Operation(module=CONTACTS, direction=direction, action=action, source_id=str(source_id), name=name,
                          nested=True)
    operation.params.update({"source": SIDE_LABELS[source], "target": SIDE_LABELS[target]})
    return operation


# -- Zoho -> Xero ------------------------------------------------------------------------------------------


class PersonsToXero:
    """Zoho contacts with an account -> ContactPersons of the linked Xero contacts, one POST per Xero contact."""

    def __init__(self, *, xero, links, account_links, store, audit, policy, to_xero):
        self.xero, self.links, self.account_links = xero, links, account_links
        self.store, self.audit, self.policy, self.to_xero = store, audit, policy, to_xero
        self.lists: dict[str, list[dict]] = {}  # ContactID -> the working person list
        self.contacts: dict[str, dict] = {}
        self.dry = False

    def plan(self, sources: list[dict], deleted_ids=()) -> list[Operation]:
        """What `run` would write, without writing (a dry run). An account link not stored yet (one the dry run
        expects the job to create) stands for a new Xero contact: no persons yet."""
        self.dry = True
        return self.run(sources, deleted_ids)

    def run(self, sources: list[dict], deleted_ids=()) -> list[Operation]:
        wanted = set()
        for record in sources:
            contact_id, account_link = self._home(record)
            if contact_id and not (self.dry and account_link is not None and account_link.pk is None):
                wanted.add(contact_id)
        for zoho_id in deleted_ids:
            link = self.links.get(ZOHO, str(zoho_id))
            if is_person_link(link):
                wanted.add(contact_of(link))
        self.contacts = self.xero.fetch("accounts", sorted(wanted)) if wanted else {}
        self.lists = {cid: [dict(p) for p in c.get("ContactPersons") or []] for cid, c in self.contacts.items()}
        operations = [self._plan(r) for r in sorted(sources, key=lambda r: sort_key(str(r.get("id"))))]
        times = deleted_ids if isinstance(deleted_ids, dict) else {}
        operations += [self._plan_delete(str(i), times.get(str(i)))
                       for i in sorted({str(i) for i in deleted_ids}, key=sort_key)]
        if self.dry:
            for operation in operations:
                operation.params.pop("__contact_id", None)
            return operations
        self._write(operations)
        for operation in operations:
            self._finish(operation)
        return operations

    def _home(self, record: dict):
        """(the Xero contact the record's person belongs in, its account's link): the contact linked to the
        record's account; when the account's link is closed (the account was deleted in Zoho while Delete was off,
        so its Xero contact was kept), the contact the person already lives in, so that later edits still reach
        it. (None, …) when there is neither."""
        account_link = self.account_links.get(ZOHO, account_id_of(record))
        if account_link is not None and account_link.state == "linked":
            return account_link.xero_id, account_link
        link = self.links.get(ZOHO, str(record.get("id")))
        if is_person_link(link) and link.state == "linked":
            return contact_of(link), None
        return None, account_link

    def _plan(self, record: dict) -> Operation:
        zoho_id = str(record.get("id"))
        operation = _operation(ZOHO_TO_XERO, CREATE, zoho_id, full_name(record))
        operation.source, operation.source_modified = record, str(record.get("Modified_Time") or "")
        link = self.links.get(ZOHO, zoho_id)
        operation.link = link
        if link is not None and link.state == "deleted":
            return operation.skip(quiet=True)
        contact_id, account_link = self._home(record)
        if contact_id is None:
            return operation.fail(ACCOUNT_MISSING, zoho_id=account_id_of(record), dependency=messages.ACCOUNT)
        try:
            person = person_of(self.to_xero(record))
        except TransformError as error:
            return operation.transform_failed(error)
        operation.payload = person
        operation.source_fingerprint = fingerprint(person)
        if link is not None and is_person_link(link) and contact_of(link) == contact_id:
            if link.zoho_fingerprint == operation.source_fingerprint:
                return operation.skip(quiet=True)
        persons = self.lists.get(contact_id)
        if persons is None and self.dry and account_link is not None and account_link.pk is None:
            persons = self.lists[contact_id] = []
        if persons is None:
            return operation.skip(messages.TARGET_GONE)
        operation.target_id = person_link_id(contact_id, zoho_id)
        operation.params["contact"] = str((self.contacts.get(contact_id) or {}).get("Name") or contact_id)
        index = -1
        if link is not None and link.xero_code:
            index = _find(persons, link.xero_code)
        if index < 0:
            index = _find(persons, person_key(person))
            if index >= 0 and link is None:
                operation.matched_by = MATCHED_BY_EMAIL if person.get("EmailAddress") else "name"
                operation.params["rule"] = RULE_LABELS[operation.matched_by]
        if index >= 0:
            if person_of(persons[index]) == person:
                operation.action, operation.message_key = MATCH, messages.MATCHED
                operation.params.setdefault("rule", RULE_LABELS[MATCHED_BY_EMAIL])
                operation.xero_code = person_key(person)
                return operation
            if not self.policy.update:
                return operation.skip(messages.UPDATE_OFF)
            persons[index] = {**persons[index], **person}
            operation.action, operation.message_key = UPDATE, messages.UPDATED
        else:
            if not self.policy.create:
                return operation.skip(messages.CREATE_OFF)
            if len(persons) >= MAX_PERSONS:
                return operation.fail(PERSONS_FULL, limit=MAX_PERSONS)
            persons.append(person)
            operation.action, operation.message_key = CREATE, messages.CREATED
        operation.xero_code = person_key(person)
        operation.params["__contact_id"] = contact_id
        return operation

    def _plan_delete(self, zoho_id: str, deleted_at=None) -> Operation:
        link = self.links.get(ZOHO, zoho_id)
        operation = _operation(ZOHO_TO_XERO, DELETE, zoho_id, link.name if link else "")
        operation.link = link
        if not is_person_link(link) or link.state == "deleted":
            return operation.skip(quiet=True)
        operation.target_id = link.xero_id
        was_off = self.policy.delete and deleted_while_off(self.policy, deleted_at)
        if not self.policy.delete or was_off:  # reported once, never applied later (sync.engine.deletes)
            operation.link_changes["state"] = "deleted"
            return operation.skip(messages.DELETE_WAS_OFF if was_off else messages.DELETE_OFF)
        contact_id = contact_of(link)
        persons = self.lists.get(contact_id)
        index = _find(persons or [], link.xero_code)
        if persons is None or index < 0:
            operation.message_key = messages.ALREADY_GONE
            operation.status = SUCCESS
            return operation
        del persons[index]
        operation.message_key = PERSON_REMOVED
        operation.params["__contact_id"] = contact_id
        return operation

    def _write(self, operations: list[Operation]) -> None:
        by_contact: dict[str, list[Operation]] = {}
        for operation in operations:
            if operation.status == PLANNED and operation.action in (CREATE, UPDATE, DELETE):
                by_contact.setdefault(operation.params["__contact_id"], []).append(operation)
        if not by_contact:
            return
        contact_ids = sorted(by_contact)
        items = [(cid, cid, {"ContactPersons": self.lists[cid]}) for cid in contact_ids]
        results = self.xero.update("accounts", items)
        for contact_id, result in zip(contact_ids, results, strict=True):
            for operation in by_contact[contact_id]:
                operation.response = result.response
                if result.ok:
                    operation.status = SUCCESS
                    operation.target = result.record or {"ContactPersons": self.lists[contact_id]}
                    operation.target_modified = result.modified
                else:
                    operation.refused(result)

    def _finish(self, operation: Operation) -> None:
        contact_id = operation.params.pop("__contact_id", None) or operation.target_id.split(SEPARATOR, 1)[0]
        if operation.status == SUCCESS and operation.action == DELETE:
            self.store.change_link(operation, {"state": "deleted", "last_direction": ZOHO_TO_XERO})
        elif operation.status in (SUCCESS, PLANNED) and operation.action in (CREATE, UPDATE, MATCH):
            operation.status = SUCCESS
            written = operation.target or {"ContactPersons": self.lists.get(contact_id, [])}
            persons = written.get("ContactPersons") or []
            index = _find(persons, operation.xero_code)
            xero_fingerprint = fingerprint(person_of(persons[index])) if index >= 0 else operation.source_fingerprint
            self.store.save_link(operation, link_fields(operation, ZOHO_TO_XERO, operation.source_id,
                                                        operation.target_id, operation.source_fingerprint,
                                                        xero_fingerprint))
        elif operation.link is not None and operation.link_changes:
            self.store.change_link(operation, dict(operation.link_changes))
        if not operation.quiet:
            self.audit.record(operation)


def link_fields(operation, direction, zoho_id, xero_id, zoho_fingerprint, xero_fingerprint) -> dict:
    source, target = sides(direction)
    fields = {
        "zoho_id": zoho_id,
        "xero_id": xero_id,
        "zoho_fingerprint": zoho_fingerprint,
        "xero_fingerprint": xero_fingerprint,
        f"{source}_modified_at": operation.source_modified,
        f"{target}_modified_at": operation.target_modified,
        "name": (operation.name or "")[:255],
        "state": "linked",
        "xero_code": operation.xero_code,
        "last_direction": direction,
    }
    if operation.matched_by:
        fields["matched_by"] = operation.matched_by
    if operation.action == CREATE:
        fields["created_side"] = target  # who brought it there (sync.routing.owned_elsewhere)
    return fields


# -- Xero -> Zoho ------------------------------------------------------------------------------------------


class PersonsToZoho:
    """Contact persons of Xero contacts linked to accounts -> Zoho contacts under those accounts."""

    def __init__(self, *, zoho, links, account_links, store, audit, policy, to_zoho, to_xero):
        self.zoho, self.links, self.account_links = zoho, links, account_links
        self.store, self.audit, self.policy = store, audit, policy
        self.to_zoho, self.to_xero = to_zoho, to_xero

    def _persons_by_contact(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for link in self.links.by_zoho.values():
            if is_person_link(link) and link.state == "linked":
                found.setdefault(contact_of(link), {})[link.xero_code] = link
        return found

    def run(self, contacts: list[dict], *, dry: bool = False) -> list[Operation]:
        """Sync the persons of `contacts`; with `dry`, only plan (Zoho is read for matching, nothing written)."""
        known = self._persons_by_contact()
        operations: list[Operation] = []
        for contact in sorted(contacts, key=lambda c: str(c.get("ContactID"))):
            contact_id = str(contact.get("ContactID"))
            account = self.account_links.get(XERO, contact_id)
            if account is None or account.state != "linked" or contact.get("ContactStatus") == "ARCHIVED":
                continue
            for person in contact.get("ContactPersons") or []:
                operations.append(self._plan(contact, account, dict(person), known.get(contact_id, {})))
        self._match(operations)
        if dry:
            for operation in operations:
                operation.params.pop("__contact_id", None)
            return operations
        self._write(operations)
        for operation in operations:
            self._finish(operation)
        return operations

    def _plan(self, contact, account, person, known) -> Operation:
        person = person_of(person)
        key = person_key(person)
        name = " ".join(filter(None, (person.get("FirstName"), person.get("LastName")))) or key
        operation = _operation("xero_to_zoho", CREATE, f"{contact.get('ContactID')}{SEPARATOR}{key}", name)
        operation.source, operation.record_id = person, str(contact.get("ContactID"))
        operation.source_modified = str(contact.get("UpdatedDateUTC") or "")
        operation.source_fingerprint = fingerprint(person)
        operation.xero_code = key
        link = known.get(key)
        operation.link = link
        try:
            payload = dict(self.to_zoho(person) or {})
        except TransformError as error:
            return operation.transform_failed(error)
        payload = {k: v for k, v in payload.items() if v not in (None, "")}
        payload["Account_Name"] = {"id": account.zoho_id}
        operation.payload = payload
        operation.params["__contact_id"] = str(contact.get("ContactID"))
        if link is not None:
            if link.xero_fingerprint == operation.source_fingerprint:
                return operation.skip(quiet=True)
            if not self.policy.update:
                return operation.skip(messages.UPDATE_OFF)
            operation.action, operation.target_id, operation.message_key = UPDATE, link.zoho_id, messages.UPDATED
        return operation

    def _match(self, operations) -> None:
        """Unlinked persons: an existing Zoho contact with the same email is linked (and updated if it differs, unless
        another Xero organisation brought it to Zoho: `Policy.owned_elsewhere`)."""
        creates = [op for op in operations if op.status == PLANNED and op.action == CREATE]
        emails = [op.source.get("EmailAddress") for op in creates if op.source.get("EmailAddress")]
        found = self.zoho.candidates(CONTACTS, [{"Email": e} for e in emails]) if emails else []
        by_email = {}
        for record in found:
            if record.get("Email") and self.links.get(ZOHO, str(record.get("id"))) is None:
                by_email.setdefault(str(record["Email"]).casefold(), record)
        owned = self.policy.owned_elsewhere
        shared = owned({str(r["id"]) for r in by_email.values()}) if owned and by_email else set()
        for operation in creates:
            record = by_email.pop(str(operation.source.get("EmailAddress") or "").casefold(), None)
            if record is not None:
                operation.target_id, operation.matched_by = str(record["id"]), MATCHED_BY_EMAIL
                operation.params["rule"] = RULE_LABELS[MATCHED_BY_EMAIL]
                same = fingerprint(person_of(self.to_xero(record))) == operation.source_fingerprint
                if same or not self.policy.update or str(record["id"]) in shared:
                    operation.action, operation.message_key, operation.target = MATCH, messages.MATCHED, record
                else:
                    operation.action, operation.message_key = UPDATE, messages.MATCHED_AND_UPDATED
            elif not self.policy.create:
                operation.skip(messages.CREATE_OFF)
            else:
                operation.message_key = messages.CREATED

    def _write(self, operations) -> None:
        creates = [op for op in operations if op.status == PLANNED and op.action == CREATE]
        updates = [op for op in operations if op.status == PLANNED and op.action == UPDATE]
        if creates:
            self._apply(creates, self.zoho.create(CONTACTS, [(op.source_id, op.payload) for op in creates]))
        if updates:
            items = [(op.source_id, op.target_id, op.payload) for op in updates]
            self._apply(updates, self.zoho.update(CONTACTS, items))

    def _apply(self, operations, results) -> None:
        for operation, result in zip(operations, results, strict=True):
            operation.response = result.response
            if result.ok:
                operation.status = SUCCESS
                operation.target_id = result.target_id or operation.target_id
                operation.target = result.record or {**(operation.target or {}), **operation.payload}
                operation.target_modified = result.modified
            else:
                operation.refused(result)

    def _finish(self, operation: Operation) -> None:
        contact_id = operation.params.pop("__contact_id", "")
        if operation.status in (SUCCESS, PLANNED) and operation.action in (CREATE, UPDATE, MATCH):
            operation.status = SUCCESS
            try:
                zoho_fingerprint = fingerprint(person_of(self.to_xero(operation.target or {})))
            except TransformError:
                zoho_fingerprint = ""
            zoho_id = operation.target_id
            operation.target_id = zoho_id
            fields = link_fields(operation, "xero_to_zoho", zoho_id, person_link_id(contact_id, zoho_id),
                                 zoho_fingerprint, operation.source_fingerprint)
            self.store.save_link(operation, fields)
        if operation.status in (FAILED, SKIPPED) and operation.quiet:
            return
        if not operation.quiet:
            self.audit.record(operation)
