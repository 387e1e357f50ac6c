"""What each synced module looks like on each side: the keys the engine reads, whatever the mapping says.

`MODULES` holds every synced module in dependency order (a contact needs its account, an invoice its account
and products), and every trigger (On Save, cron, Historical Sync, Copy to Xero, Resync) offers exactly these.
What differs between modules is said by their `ModuleSpec`, never by a branch on a module's name in shared code.

Contacts (Zoho Contacts) are `nested_in` accounts on the Xero side: Xero has no contact-person records of its
own, its ContactPersons live inside a Xero contact (at most five, replaced as a whole list on write). So:

- Zoho -> Xero: a Zoho contact with an account becomes a ContactPerson of the Xero contact linked to that account
  (one write of the merged person list per Xero contact); a Zoho contact without an account becomes a Xero
  contact of its own. A deleted Zoho contact is removed from the person list (Delete switch).
- Xero -> Zoho: the source records are Xero contacts (`xero_collection`): the persons of each one linked to an
  account become (or update) Zoho contacts under that account; the Xero contact of a Zoho contact without an
  account updates that Zoho contact. Xero cannot delete a single person, so nothing is deleted this way.
"""

from dataclasses import dataclass

ZOHO = "zoho"
XERO = "xero"
ZOHO_TO_XERO = "zoho_to_xero"
XERO_TO_ZOHO = "xero_to_zoho"
DIRECTIONS = (ZOHO_TO_XERO, XERO_TO_ZOHO)


def sides(direction: str) -> tuple[str, str]:
    """(source side, target side) of a direction."""
    return (ZOHO, XERO) if direction == ZOHO_TO_XERO else (XERO, ZOHO)


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    zoho_module: str
    zoho_name_field: str
    zoho_xero_id_field: str  # a Zoho field that carries the Xero id (upsert key for Xero -> Zoho creates)
    xero_id_field: str
    xero_name_field: str
    depends_on: tuple[str, ...] = ()  # modules synced (or matched) first; Historical Sync adds them to a job
    line_subform: str | None = None  # the Zoho subform of the record's lines (invoices: Invoiced_Items); Zoho
    # returns subforms only from GET by id, so such records are read one by one
    xero_collection: str = ""  # the Xero collection the module's Xero records are read from (Contacts, Items, …)
    nested_in: str | None = None  # on the Xero side the records live inside this module's records (persons in a
    # contact): planned and written by the nested-module engine, one write per parent record
    zoho_parent_field: str | None = None  # the Zoho lookup to the parent record (a contact's or invoice's account)
    zoho_parent: str | None = None  # the module that lookup points to
    shares_xero_records_with: str | None = None  # a module whose links claim some of this module's Xero records
    # (accounts: the Xero contact of a Zoho contact without an account is that contact's, not an account)
    xero_deletes_by_absence: bool = False  # Xero deletes the record outright (items): a full read that no longer
    # returns a linked record means it was deleted
    deletes: tuple[str, ...] = DIRECTIONS  # directions in which a deletion at the source is synced
    xero_date_fields: tuple[str, ...] = ("UpdatedDateUTC",)  # the date Historical Sync's From/To compare on the
    # Xero side (the first present)
    zoho_date_fields: tuple[str, ...] = ("Created_Time",)  # … and on the Zoho side
    routed: bool = True  # Zoho -> Xero creates follow the organisation's routing rule (not: they follow a parent)
    line_items: bool = False  # invoice lines reference its records; one may stand in for "no item" (never a Xero item)
    routed_by_field: bool = False  # a field rule reads this module's records (the rule's field is an account field)
    routed_with_parent: bool = False  # under a rule, a new record goes where its parent (`zoho_parent`) goes
    zoho_match_fields: tuple[str, ...] = ()  # the Zoho fields matching compares (the Xero id field first)
    xero_match_fields: tuple[str, ...] = ()  # the Xero fields matching compares (sync.match_index keeps them)
    xero_match_state: tuple[str, ...] = ()  # the Xero fields deciding whether a record can be matched at all
    zoho_id_merge_field: str = ""  # Zoho's merge field of the record id (Copy to Xero buttons: ${Accounts.Account Id})

    def zoho_name(self, record: dict) -> str:
        value = record.get(self.zoho_name_field)
        if isinstance(value, dict):
            value = value.get("name") or value.get("id")
        return str(value or record.get("id") or "")

    def xero_name(self, record: dict) -> str:
        return str(record.get(self.xero_name_field) or record.get("Name") or record.get(self.xero_id_field) or "")

    def name(self, side: str, record: dict) -> str:
        return self.zoho_name(record) if side == ZOHO else self.xero_name(record)

    def record_id(self, side: str, record: dict) -> str:
        return str(record.get("id") if side == ZOHO else record.get(self.xero_id_field) or "")

    @staticmethod
    def modified(side: str, record: dict) -> str:
        return str(record.get("Modified_Time") if side == ZOHO else record.get("UpdatedDateUTC") or "")

    def date_of(self, side: str, record: dict):
        """The record's value of its first date field present (Historical Sync's From/To), or None."""
        fields = self.zoho_date_fields if side == ZOHO else self.xero_date_fields
        return next((record[name] for name in fields if record.get(name)), None)


CONTACTS = "contacts"  # the key of the nested module of contact persons (sync.engine.persons)

MODULES = {
    "accounts": ModuleSpec(
        "accounts", "Accounts", "Account_Name", "Xero_Contact_ID", "ContactID", "Name", xero_collection="Contacts",
        shares_xero_records_with=CONTACTS, routed_by_field=True,
        zoho_match_fields=("Xero_Contact_ID", "Account_Name", "Account_Number", "Email"),
        xero_match_fields=("ContactNumber", "AccountNumber", "EmailAddress", "Name"), xero_match_state=("ContactStatus",),
        zoho_id_merge_field="Account Id",
    ),
    # Zoho Contacts: contact persons of the account's Xero contact (see the module docstring). The Xero id field
    # is the contact's: a person's own id is "<ContactID>:<Zoho id>" (sync.engine.persons). Zoho creates upsert
    # on Email (the system duplicate key), so a retried create never duplicates.
    CONTACTS: ModuleSpec(
        CONTACTS, "Contacts", "Full_Name", "Email", "ContactID", "Name", depends_on=("accounts",),
        xero_collection="Contacts", nested_in="accounts", zoho_parent_field="Account_Name", zoho_parent="accounts",
        deletes=(ZOHO_TO_XERO,), routed=False, zoho_match_fields=("Email",), zoho_id_merge_field="Contact Id",
    ),
    "products": ModuleSpec(
        "products", "Products", "Product_Name", "Xero_Item_ID", "ItemID", "Code", xero_collection="Items",
        xero_deletes_by_absence=True, zoho_match_fields=("Xero_Item_ID", "Product_Code", "Product_Name"),
        xero_match_fields=("Code", "Name"), zoho_id_merge_field="Product Id", line_items=True,
    ),
    "invoices": ModuleSpec(
        "invoices", "Invoices", "Subject", "Xero_Invoice_ID", "InvoiceID", "InvoiceNumber",
        depends_on=("accounts", "products"), line_subform="Invoiced_Items", xero_collection="Invoices",
        zoho_parent_field="Account_Name", zoho_parent="accounts", routed_with_parent=True,
        xero_date_fields=("DateString", "Date"), zoho_match_fields=("Xero_Invoice_ID", "Invoice_Number", "Subject"),
        xero_match_fields=("InvoiceNumber", "Reference"), xero_match_state=("Status", "Type"),
        zoho_id_merge_field="Invoice Id",
    ),
}
MODULE_ORDER = tuple(MODULES)  # every synced module, in dependency order: accounts, contacts, products, invoices


def spec(module: str) -> ModuleSpec:
    try:
        return MODULES[module]
    except KeyError:
        raise LookupError(f"The sync engine does not handle the module {module!r}") from None


def by_zoho_module(zoho_module: str) -> ModuleSpec | None:
    return next((s for s in MODULES.values() if s.zoho_module == zoho_module), None)
