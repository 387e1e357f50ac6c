"""Xero -> Zoho for a Zoho contact without an account (a Xero contact of its own, created by the accounts engine
with the contacts mapping): changes of the Xero contact update the Zoho contact once.

The fingerprints are the ones the accounts engine stored for the link: the Xero side is the contact mapped to
Zoho plus `Xero_Contact_ID`, the Zoho side the contact mapped to Xero plus `ContactNumber` (planner.project), so
our own write coming back is recognised either way. New Xero contacts are accounts, never contacts.
"""

from . import messages
from .fingerprint import fingerprint
from .modules import CONTACTS, XERO, XERO_TO_ZOHO
from .operations import SUCCESS, UPDATE, Operation, TransformError
from .persons import is_person_link

NOT_ON_A_CONTACT = ("Email_Opt_Out",)  # a Xero contact has no IncludeInEmails (ContactPerson only)


def zoho_side(to_xero, record: dict) -> str:
    return fingerprint({**(to_xero(record) or {}), "ContactNumber": str(record.get("id"))})


def xero_side(to_zoho, contact: dict) -> dict:
    return {k: v for k, v in (to_zoho(contact) or {}).items() if k not in NOT_ON_A_CONTACT}


def own_contacts_to_zoho(contacts, *, zoho, links, store, audit, policy, to_zoho, to_xero,
                         dry: bool = False) -> list[Operation]:
    """Plan and write the updates (with `dry`: only plan)."""
    operations = []
    for contact in sorted(contacts, key=lambda c: str(c.get("ContactID"))):
        contact_id = str(contact.get("ContactID"))
        link = links.get(XERO, contact_id)
        if link is None or is_person_link(link) or link.state != "linked":
            continue
        operation = Operation(module=CONTACTS, direction=XERO_TO_ZOHO, action=UPDATE, source_id=contact_id,
                              name=str(contact.get("Name") or ""), target_id=link.zoho_id, link=link, source=contact)
        operation.params.update({"source": "Xero", "target": "Zoho CRM"})
        operation.source_modified = str(contact.get("UpdatedDateUTC") or "")
        try:
            payload = xero_side(to_zoho, contact)
        except TransformError as error:
            operations.append(operation.transform_failed(error))
            continue
        operation.payload = payload
        operation.source_fingerprint = fingerprint({**payload, "Xero_Contact_ID": contact_id})
        if operation.source_fingerprint == link.xero_fingerprint:
            operations.append(operation.skip(quiet=True))
        elif contact.get("ContactStatus") == "ARCHIVED":
            operations.append(operation.skip(quiet=True))  # deletes of own contacts: Zoho -> Xero only
        elif not policy.update:
            operations.append(operation.skip(messages.UPDATE_OFF))
        else:
            operation.message_key = messages.UPDATED
            operations.append(operation)
    writes = [op for op in operations if op.status == "planned"]
    if dry:
        return operations
    if writes:
        results = zoho.update(CONTACTS, [(op.source_id, op.target_id, op.payload) for op in writes])
        for operation, result in zip(writes, results, strict=True):
            operation.response = result.response
            if not result.ok:
                operation.refused(result)
                continue
            operation.status, operation.target_modified = SUCCESS, result.modified
            record = result.record or {**operation.payload, "id": operation.target_id}
            store.save_link(operation, {
                "zoho_id": operation.target_id, "xero_id": operation.source_id,
                "zoho_fingerprint": zoho_side(to_xero, record), "xero_fingerprint": operation.source_fingerprint,
                "zoho_modified_at": result.modified, "xero_modified_at": operation.source_modified,
                "name": operation.name[:255], "state": "linked", "last_direction": XERO_TO_ZOHO,
            })
    for operation in operations:
        if not operation.quiet:
            audit.record(operation)
    return operations
