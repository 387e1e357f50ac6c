"""Xero contact names are unique among active contacts; Zoho account names are not.

The rule (deterministic, documented in docs and the audit log):

- A Zoho account keeps its name in Xero unless another *active* Xero contact that is not its own already has
  that name (case-insensitively), or another account earlier in the same batch (batches run in ascending Zoho
  id order) has just claimed it.
- Then it is written as ``"<Account Name> (<Zoho account id>)"`` (the name is shortened so the whole stays within
  Xero's 255 characters). The Zoho id makes the name unique and tells the user which account it is.
- The audit entry of the write says so (messages.CREATED_RENAMED / UPDATED_RENAMED).
- Coming back from Xero to Zoho, the suffix of the account's own id is removed, so Zoho keeps the plain name.

So two Zoho accounts both called "Acme" become the Xero contacts "Acme" (the lower Zoho id, or the one that was
linked first) and "Acme (<the other's id>)".
"""

from . import messages
from .operations import CREATE

MAX_NAME = 255


def suffixed(name: str, zoho_id: str) -> str:
    suffix = f" ({zoho_id})"
    return name[: MAX_NAME - len(suffix)].rstrip() + suffix


def strip_suffix(payload: dict, field: str, zoho_id: str) -> dict:
    value = payload.get(field)
    suffix = f" ({zoho_id})"
    if isinstance(value, str) and value.endswith(suffix):
        payload = {**payload, field: value[: -len(suffix)]}
    return payload


class NameBook:
    """Which active Xero contact holds which name, as far as this batch knows."""

    def __init__(self, candidates, links):
        self.owner: dict[str, str] = {}
        for contact in candidates:
            if contact.get("ContactStatus", "ACTIVE") == "ACTIVE" and contact.get("Name"):
                self.owner.setdefault(contact["Name"].casefold(), str(contact.get("ContactID", "")))

    def assign(self, operation) -> None:
        payload = operation.payload or {}
        name = payload.get("Name")
        if not isinstance(name, str) or not name.strip():
            return
        mine = operation.target_id or f"pending:{operation.source_id}"
        owner = self.owner.get(name.casefold())
        if owner is None or owner == mine:
            self.owner[name.casefold()] = mine
            return
        new_name = suffixed(name, operation.source_id)
        operation.payload = {**payload, "Name": new_name}
        operation.params.update(name=name, new_name=new_name)
        operation.message_key = messages.CREATED_RENAMED if operation.action == CREATE else messages.UPDATED_RENAMED
        self.owner[new_name.casefold()] = mine
