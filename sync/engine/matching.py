"""Find the same record on the target side before creating one, so a first sync, a replay after a crash or a
sync after a reset creates no duplicate.

Rules, in order (the first that finds an unlinked, unclaimed record wins; the audit entry names it):
- Zoho account -> Xero contact: ContactNumber carrying the Zoho id, then email address, then exact name
  (case-insensitive). Email and name only match a contact whose ContactNumber is empty or this account's id.
  Archived contacts are not matched.
- Zoho product -> Xero item: item code.
- Zoho invoice -> Xero invoice: invoice number, then reference (voided and deleted invoices are not matched).
- Xero -> Zoho: the Zoho field carrying the Xero id (Xero_Contact_ID, Xero_Item_ID, Xero_Invoice_ID); for a
  contact also its ContactNumber as a Zoho id; then account name, product code or invoice number.
"""

from django.utils.translation import gettext_noop

from .modules import XERO, ModuleSpec

RULE_LABELS = {
    "contact_number": gettext_noop("contact number (Zoho id)"),
    "email": gettext_noop("email address"),
    "name": gettext_noop("name"),
    "code": gettext_noop("code"),
    "number": gettext_noop("invoice number"),
    "reference": gettext_noop("reference"),
    "xero_id": gettext_noop("Xero id"),
}

# (rule, target key, how to get the wanted value from (payload, source_id, source record), strict)
# strict rules only match records that carry no foreign link marker.
RULES = {
    (XERO, "accounts"): [
        ("contact_number", "ContactNumber", lambda p, sid, s: sid, False),
        ("email", "EmailAddress", lambda p, sid, s: p.get("EmailAddress"), True),
        ("name", "Name", lambda p, sid, s: p.get("Name"), True),
    ],
    (XERO, "products"): [("code", "Code", lambda p, sid, s: p.get("Code"), False)],
    (XERO, "invoices"): [
        ("number", "InvoiceNumber", lambda p, sid, s: p.get("InvoiceNumber"), False),
        ("reference", "Reference", lambda p, sid, s: p.get("Reference"), True),
    ],
    ("zoho", "accounts"): [
        ("xero_id", "Xero_Contact_ID", lambda p, sid, s: sid, False),
        ("contact_number", "id", lambda p, sid, s: (s or {}).get("ContactNumber"), False),
        ("name", "Account_Name", lambda p, sid, s: p.get("Account_Name"), True),
    ],
    ("zoho", "products"): [
        ("xero_id", "Xero_Item_ID", lambda p, sid, s: sid, False),
        ("code", "Product_Code", lambda p, sid, s: p.get("Product_Code"), True),
    ],
    ("zoho", "invoices"): [
        ("xero_id", "Xero_Invoice_ID", lambda p, sid, s: sid, False),
        ("number", "Invoice_Number", lambda p, sid, s: p.get("Invoice_Number"), True),
    ],
}


def _key(value) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text.casefold() if text else None


def matchable(spec: ModuleSpec, side: str, record: dict) -> bool:
    if side == XERO and spec.key == "accounts":
        return record.get("ContactStatus", "ACTIVE") == "ACTIVE"
    if side == XERO and spec.key == "invoices":
        return record.get("Status") not in ("VOIDED", "DELETED") and record.get("Type", "ACCREC") == "ACCREC"
    return True


class CandidateIndex:
    def __init__(self, spec: ModuleSpec, target_side: str, candidates, links):
        self.spec, self.side, self.links = spec, target_side, links
        self.rules = RULES.get((target_side, spec.key), [])
        self.claimed: set[str] = set()
        self.index: dict[tuple[str, str], list[dict]] = {}
        for record in candidates:
            if not matchable(spec, target_side, record):
                continue
            record_id = spec.record_id(target_side, record)
            if links.get(target_side, record_id) is not None:
                continue  # already linked to another source record
            for rule, field, _value, _strict in self.rules:
                key = _key(record.get(field))
                if key is not None:
                    self.index.setdefault((rule, key), []).append(record)

    def claim(self, record_id: str) -> None:
        self.claimed.add(str(record_id))

    def _foreign(self, record: dict, source_id: str) -> bool:
        """Whether the record is marked as belonging to another source record."""
        if self.side == XERO and self.spec.key == "accounts":
            number = str(record.get("ContactNumber") or "")
            return bool(number) and number != str(source_id)
        if self.side != XERO:
            marker = str(record.get(self.spec.zoho_xero_id_field) or "")
            return bool(marker) and marker != str(source_id)
        return False

    def find(self, payload: dict, source_id: str, source: dict | None = None) -> tuple[dict | None, str]:
        for rule, _field, value, strict in self.rules:
            key = _key(value(payload, source_id, source))
            if key is None:
                continue
            for record in self.index.get((rule, key), []):
                record_id = self.spec.record_id(self.side, record)
                if record_id in self.claimed:
                    continue
                if strict and self._foreign(record, source_id):
                    continue
                return record, rule
        return None, ""
