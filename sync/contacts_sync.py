"""Nested modules in a sync run: Zoho Contacts, whose Xero side lives inside the Xero contacts of accounts
(`ModuleSpec.nested_in`). A Zoho contact with an account is a contact person (`engine.persons`); one without an
account is a Xero contact of its own (the accounts engine, with the contacts mapping, links and audit module).

`runs` calls `dependencies` before a chunk (a contact's account is synced or matched first), `run_batch` for the
chunk, and Historical Sync's dry run calls `plan_batch` (the same plan, nothing written).
"""

from .engine import own_contacts
from .engine.batch import plan_batch as plan_generic
from .engine.batch import run_batch as run_generic
from .engine.modules import ZOHO, ZOHO_TO_XERO, spec
from .engine.operations import Transforms
from .engine.persons import PersonsToXero, PersonsToZoho, account_id_of, full_name, is_person_link

NOT_ON_A_CONTACT = ("IncludeInEmails",)  # ContactPerson only


class NestedAudit:
    """The parent's engine plans a Zoho contact's own Xero contact: its audit entries belong to the nested module."""

    def __init__(self, sink, module: str):
        self.sink, self.module = sink, module

    def record(self, operation):
        operation.module = self.module
        if operation.source and operation.direction == ZOHO_TO_XERO:
            operation.name = full_name(operation.source)
        self.sink.record(operation)


def _own_transforms(transforms: Transforms) -> Transforms:
    def to_xero(record):
        return {k: v for k, v in (transforms.to_xero(record) or {}).items() if k not in NOT_ON_A_CONTACT}

    def to_zoho(contact):
        return own_contacts.xero_side(transforms.to_zoho, contact)

    return Transforms(to_xero, to_zoho)


def dependencies(context, module, direction, sources, sync_inline) -> None:
    """Zoho -> Xero: the parent records (accounts) of these records are synced (or matched) first, when Allow Sync
    lets them."""
    parent = spec(module).nested_in
    if direction != ZOHO_TO_XERO or not sources:
        return
    parents = context.links(parent)
    wanted = sorted({account_id_of(r) for r in sources if account_id_of(r)} - set(parents.by_zoho))
    if wanted and context.module_settings(parent).allow_sync:
        sync_inline(context, parent, ZOHO_TO_XERO, wanted)


def run_batch(context, module, direction, sources, deleted, *, dry: bool = False):
    """Sync a chunk of a nested module (with `dry`: plan it, reading both sides, writing nothing)."""
    parent = spec(module).nested_in
    links, parents = context.links(module), context.links(parent)
    store, audit = context.store(module), context.audit()
    policy, transforms = context.policy(module, direction), context.transforms(module)
    own = _own_transforms(transforms)
    if direction != ZOHO_TO_XERO:
        operations = PersonsToZoho(
            zoho=context.zoho, links=links, account_links=parents, store=store, audit=audit, policy=policy,
            to_zoho=transforms.to_zoho, to_xero=transforms.to_xero,
        ).run(sources, dry=dry)
        return operations + own_contacts.own_contacts_to_zoho(
            sources, zoho=context.zoho, links=links, store=store, audit=audit, policy=policy,
            to_zoho=own.to_zoho, to_xero=own.to_xero, dry=dry,
        )
    with_parent = [r for r in sources if account_id_of(r)]
    alone = [r for r in sources if not account_id_of(r)]
    times = deleted if isinstance(deleted, dict) else {}  # {id: deletion time} when Zoho gave it
    person_deleted = {i: times.get(i) for i in deleted if is_person_link(links.get(ZOHO, str(i)))}
    alone_deleted = {i: times.get(i) for i in deleted if i not in person_deleted}
    persons = PersonsToXero(
        xero=context.xero, links=links, account_links=parents, store=store, audit=audit, policy=policy,
        to_xero=transforms.to_xero,
    )
    operations = persons.plan(with_parent, person_deleted) if dry else persons.run(with_parent, person_deleted)
    if alone or alone_deleted:
        common = {"sources": alone, "deleted_ids": alone_deleted, "target": context.xero, "links": links,
                  "policy": policy, "transforms": own}
        if dry:
            planned = plan_generic(parent, direction, **common)
            for operation in planned:
                operation.module = module
            operations += planned
        else:
            operations += run_generic(parent, direction, store=store, audit=NestedAudit(audit, module), **common)
    return operations


def plan_batch(context, module, direction, sources):
    """Historical Sync's dry run of a chunk: what `run_batch` would do, nothing written."""
    return run_batch(context, module, direction, sources, {}, dry=True)
