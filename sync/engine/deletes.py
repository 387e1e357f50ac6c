"""What a deletion at the source becomes at the target (only when the module's Delete switch is on).

Zoho -> Xero: account -> contact ARCHIVED (Xero contacts cannot be deleted); product -> item deleted;
invoice -> DELETED if DRAFT or SUBMITTED, VOIDED if AUTHORISED without payments, otherwise a failure that says
to remove the payments in Xero first.
Xero -> Zoho: an archived contact, a voided or deleted invoice, a deleted item -> the Zoho record is deleted.

Deletes are never retroactive, in both directions: a deletion is acted on only if it happened while Delete was on
(`Policy.delete_since`, stamped when the switch goes on). One seen while Delete is off, or one that happened before
the switch went on (Zoho's deleted_time, the Xero record's UpdatedDateUTC), gets one audit entry and closes the link
(or remembers the deleted record's fingerprint), so it is never applied later. A deletion without a time (an item
missing from Xero, a record a notification named) counts from when it is seen.
"""

from django.utils.translation import gettext_noop

from . import invoice_rules, messages
from .fingerprint import parse_time, same_time
from .modules import XERO
from .operations import DELETE

# Message ids, translated by the audit log when it shows the entry (starts the ZOHO_DELETED sentence).
DELETED_LABELS = {
    "ARCHIVED": gettext_noop("Archived"),
    "VOIDED": gettext_noop("Voided"),
    "DELETED": gettext_noop("Deleted"),
}


def _handled(operation, link, source_side) -> bool:
    stored = link.fingerprint_of(source_side)
    if operation.source_fingerprint and stored:
        return operation.source_fingerprint == stored
    return same_time(operation.source_modified, link.modified_of(source_side))


def deleted_while_off(policy, deleted_at) -> bool:
    """Whether a deletion at `deleted_at` (a provider time, or None when unknown) happened before Delete went on."""
    moment = parse_time(deleted_at)
    if policy.delete_since is None or moment is None:
        return False
    # Providers give deletion times to the second: a deletion in the second Delete went on counts as after it.
    return moment.replace(microsecond=0) < policy.delete_since.replace(microsecond=0)


def plan_delete(operation, spec, target_side, target, policy, deleted_at=None):
    link = operation.link
    source_side = "zoho" if target_side == XERO else XERO
    if operation.source is not None and _handled(operation, link, source_side):
        return operation.skip(quiet=True)  # this deletion was handled (or refused) already
    if operation.source is not None:
        deleted_at = operation.source_modified
    was_off = policy.delete and deleted_while_off(policy, deleted_at)
    if not policy.delete or was_off:
        if operation.source is None:
            operation.link_changes["state"] = "deleted"
        else:
            operation.link_changes[f"{source_side}_modified_at"] = operation.source_modified
            operation.link_changes[f"{source_side}_fingerprint"] = operation.source_fingerprint
        return operation.skip(messages.DELETE_WAS_OFF if was_off else messages.DELETE_OFF)
    if target is None:
        operation.link_changes["state"] = "deleted"
        return operation.skip(messages.ALREADY_GONE)
    operation.action = DELETE
    if target_side != XERO:
        operation.delete_mode = "zoho"
        status = (operation.source or {}).get("ContactStatus") or (operation.source or {}).get("Status") or "DELETED"
        operation.params["status"] = DELETED_LABELS.get(status, DELETED_LABELS["DELETED"])
        operation.message_key = messages.ZOHO_DELETED
        return operation
    if spec.key == "accounts":
        if target.get("ContactStatus") == "ARCHIVED":
            operation.link_changes["state"] = "deleted"
            return operation.skip(messages.ALREADY_GONE)
        operation.delete_mode, operation.message_key = "archive", messages.ARCHIVED
        return operation
    if spec.key == "products":
        operation.delete_mode, operation.message_key = "delete", messages.ITEM_DELETED
        return operation
    status = target.get("Status")
    operation.params["status"] = status
    if status in ("VOIDED", "DELETED"):
        operation.link_changes["state"] = "deleted"
        return operation.skip(messages.ALREADY_GONE)
    if status in ("DRAFT", "SUBMITTED"):
        operation.delete_mode, operation.message_key = "delete", messages.INVOICE_DELETED
        return operation
    if status == "AUTHORISED" and not invoice_rules.has_payments(target):
        operation.delete_mode, operation.message_key = "void", messages.INVOICE_VOIDED
        return operation
    return operation.fail(messages.INVOICE_HAS_PAYMENTS)
