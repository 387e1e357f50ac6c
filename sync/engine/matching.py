"""Find the same record on the target side before creating one, so a first sync, a replay after a crash, a sync
after a reset, another Xero organisation's run or another trigger a moment earlier never causes a duplicate.

Rules, in order (the first that finds an unlinked, unclaimed record wins; the audit entry and the link name it):
- Zoho account -> Xero contact: ContactNumber carrying the Zoho id, then account number, then email address
  (case-insensitive), then name (case-insensitive, as Xero keeps contact names unique). Archived contacts are not matched.
- Zoho product -> Xero item: code (case-insensitive), then exact name.
- Zoho invoice -> Xero invoice: invoice number, then reference (voided and deleted invoices are not matched).
- Xero contact -> Zoho account: the Zoho field carrying the Xero id (Xero_Contact_ID), the contact's
  ContactNumber as a Zoho id, then account number, email (when the mapping writes one), then exact name.
- Xero item -> Zoho product: Xero_Item_ID, then product code, then exact product name (so a Zoho product of the
  same name is linked, never answered with DUPLICATE_DATA).
- Xero invoice -> Zoho invoice: Xero_Invoice_ID, then invoice number, then subject (the reference).

Records of other owners are not taken by the weaker rules (account number, email, name, reference):
- a Xero contact whose ContactNumber is another Zoho record's id (a Zoho id: 15 or more digits) belongs to that
  account; a ContactNumber of the customer's own numbering ("C-0042") does not stop a match;
- a Zoho record whose Xero-id field holds the id of another record *of this Xero organisation* belongs to it.
  The id of another Xero organisation's record does not: two organisations holding the same customer (or item)
  share one Zoho account (or product), see the `sync` package docstring. Invoices are never shared: a Zoho invoice
  that carries any other Xero invoice's id is not matched.
"""

from django.utils.translation import gettext_noop

from .modules import XERO, ModuleSpec

RULE_LABELS = {
    "contact_number": gettext_noop("contact number (Zoho id)"),
    "account_number": gettext_noop("account number"),
    "email": gettext_noop("email address"),
    "name": gettext_noop("name"),
    "code": gettext_noop("code"),
    "number": gettext_noop("invoice number"),
    "reference": gettext_noop("reference"),
    "xero_id": gettext_noop("Xero id"),
}

# How a value compares: case-insensitive (codes, numbers, emails) or exact (names).
FOLD, EXACT = "fold", "exact"

# (rule, target key, how to get the wanted value from (payload, source_id, source record), strict, comparison)
# strict rules only match records that carry no foreign owner marker.
RULES = {
    (XERO, "accounts"): [
        ("contact_number", "ContactNumber", lambda p, sid, s: sid, False, FOLD),
        ("account_number", "AccountNumber", lambda p, sid, s: p.get("AccountNumber"), True, FOLD),
        ("email", "EmailAddress", lambda p, sid, s: p.get("EmailAddress"), True, FOLD),
        ("name", "Name", lambda p, sid, s: p.get("Name"), True, FOLD),  # Xero: names unique regardless of case
    ],
    (XERO, "products"): [
        ("code", "Code", lambda p, sid, s: p.get("Code"), False, FOLD),
        ("name", "Name", lambda p, sid, s: p.get("Name"), True, EXACT),
    ],
    (XERO, "invoices"): [
        ("number", "InvoiceNumber", lambda p, sid, s: p.get("InvoiceNumber"), False, FOLD),
        ("reference", "Reference", lambda p, sid, s: p.get("Reference"), True, EXACT),
    ],
    ("zoho", "accounts"): [
        ("xero_id", "Xero_Contact_ID", lambda p, sid, s: sid, False, FOLD),
        ("contact_number", "id", lambda p, sid, s: (s or {}).get("ContactNumber"), False, FOLD),
        ("account_number", "Account_Number", lambda p, sid, s: p.get("Account_Number"), True, FOLD),
        ("email", "Email", lambda p, sid, s: p.get("Email"), True, FOLD),
        ("name", "Account_Name", lambda p, sid, s: p.get("Account_Name"), True, EXACT),
    ],
    ("zoho", "products"): [
        ("xero_id", "Xero_Item_ID", lambda p, sid, s: sid, False, FOLD),
        ("code", "Product_Code", lambda p, sid, s: p.get("Product_Code"), True, FOLD),
        ("name", "Product_Name", lambda p, sid, s: p.get("Product_Name"), True, EXACT),
    ],
    ("zoho", "invoices"): [
        ("xero_id", "Xero_Invoice_ID", lambda p, sid, s: sid, False, FOLD),
        ("number", "Invoice_Number", lambda p, sid, s: p.get("Invoice_Number"), True, FOLD),
        ("reference", "Subject", lambda p, sid, s: p.get("Subject"), True, EXACT),
    ],
}


def _key(value, comparison: str = FOLD) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    if not text:
        return None
    return text.casefold() if comparison == FOLD else text


def zoho_id_like(value) -> bool:
    """A Zoho record id: a long number (Zoho ids have 15 to 19 digits)."""
    text = str(value or "").strip()
    return len(text) >= 15 and text.isdigit()


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
            for rule, field, _value, _strict, comparison in self.rules:
                key = _key(record.get(field), comparison)
                if key is not None:
                    self.index.setdefault((rule, key), []).append(record)

    def claim(self, record_id: str) -> None:
        self.claimed.add(str(record_id))

    def _foreign(self, record: dict, source_id: str) -> bool:
        """Whether the record is marked as belonging to another source record (module docstring)."""
        if self.side == XERO and self.spec.key == "accounts":
            number = str(record.get("ContactNumber") or "").strip()
            return zoho_id_like(number) and number != str(source_id)
        if self.side != XERO:
            marker = str(record.get(self.spec.zoho_xero_id_field) or "")
            if not marker or marker == str(source_id):
                return False
            if self.spec.key == "invoices":
                return True  # an invoice belongs to one ledger: never shared between organisations
            return self.links.get(XERO, marker) is not None
        return False

    def find(self, payload: dict, source_id: str, source: dict | None = None) -> tuple[dict | None, str]:
        for rule, _field, value, strict, comparison in self.rules:
            key = _key(value(payload, source_id, source), comparison)
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
