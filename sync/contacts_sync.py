"""Zoho Contacts in a sync run: contact persons (`engine.persons`) or, without an account, a Xero contact of their
own (the accounts engine, with the contacts mapping, links and audit module).

`runs` calls `dependencies` before a chunk (a contact's account is synced or matched first) and
`run_contacts_batch` for the chunk; `without_own_contacts` keeps the Xero contacts of Zoho contacts out of the
accounts run Xero -> Zoho (they are not accounts).
"""

from .engine import own_contacts
from .engine.batch import run_batch
from .engine.modules import XERO, ZOHO, ZOHO_TO_XERO
from .engine.operations import Transforms
from .engine.persons import PersonsToXero, PersonsToZoho, account_id_of, full_name, is_person_link

MODULE = "contacts"
NOT_ON_A_CONTACT = ("IncludeInEmails",)  # ContactPerson only


class ContactsAudit:
    """The accounts engine plans a Zoho contact's own Xero contact: its audit entries belong to Contacts."""

    def __init__(self, sink):
        self.sink = sink

    def record(self, operation):
        operation.module = MODULE
        if operation.source and operation.direction == ZOHO_TO_XERO:
            operation.name = full_name(operation.source)
        self.sink.record(operation)


def _own_transforms(transforms: Transforms) -> Transforms:
    def to_xero(record):
        return {k: v for k, v in (transforms.to_xero(record) or {}).items() if k not in NOT_ON_A_CONTACT}

    def to_zoho(contact):
        return own_contacts.xero_side(transforms.to_zoho, contact)

    return Transforms(to_xero, to_zoho)


def dependencies(context, direction, sources, sync_inline) -> None:
    """Zoho -> Xero: the accounts of these contacts are synced (or matched) first, when Allow Sync lets them."""
    if direction != ZOHO_TO_XERO or not sources:
        return
    accounts = context.links("accounts")
    wanted = sorted({account_id_of(r) for r in sources if account_id_of(r)} - set(accounts.by_zoho))
    if wanted and context.module_settings("accounts").allow_sync:
        sync_inline(context, "accounts", ZOHO_TO_XERO, wanted)


def run_contacts_batch(context, direction, sources, deleted):
    links, accounts = context.links(MODULE), context.links("accounts")
    store, audit = context.store(MODULE), context.audit()
    policy, transforms = context.policy(MODULE, direction), context.transforms(MODULE)
    if direction != ZOHO_TO_XERO:
        own = _own_transforms(transforms)
        operations = PersonsToZoho(
            zoho=context.zoho, links=links, account_links=accounts, store=store, audit=audit, policy=policy,
            to_zoho=transforms.to_zoho, to_xero=transforms.to_xero,
        ).run(sources)
        return operations + own_contacts.own_contacts_to_zoho(
            sources, zoho=context.zoho, links=links, store=store, audit=audit, policy=policy,
            to_zoho=own.to_zoho, to_xero=own.to_xero,
        )
    with_account = [r for r in sources if account_id_of(r)]
    own = [r for r in sources if not account_id_of(r)]
    times = deleted if isinstance(deleted, dict) else {}  # {id: deletion time} when Zoho gave it
    person_deleted = {i: times.get(i) for i in deleted if is_person_link(links.get(ZOHO, str(i)))}
    own_deleted = {i: times.get(i) for i in deleted if i not in person_deleted}
    operations = PersonsToXero(
        xero=context.xero, links=links, account_links=accounts, store=store, audit=audit, policy=policy,
        to_xero=transforms.to_xero,
    ).run(with_account, person_deleted)
    if own or own_deleted:
        operations += run_batch(
            "accounts", direction, sources=own, deleted_ids=own_deleted, target=context.xero, links=links,
            store=store, audit=ContactsAudit(audit), policy=policy, transforms=_own_transforms(transforms),
        )
    return operations


def without_own_contacts(context, records: list[dict]) -> list[dict]:
    links = context.links(MODULE)
    return [r for r in records if links.get(XERO, str(r.get("ContactID"))) is None]
