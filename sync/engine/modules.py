"""What each synced module looks like on each side: the keys the engine reads, whatever the mapping says."""

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
    depends_on: tuple[str, ...] = ()
    line_subform: str | None = None  # the Zoho subform of the record's lines (invoices: Invoiced_Items)

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


MODULES = {
    "accounts": ModuleSpec("accounts", "Accounts", "Account_Name", "Xero_Contact_ID", "ContactID", "Name"),
    "products": ModuleSpec("products", "Products", "Product_Name", "Xero_Item_ID", "ItemID", "Code"),
    "invoices": ModuleSpec(
        "invoices", "Invoices", "Subject", "Xero_Invoice_ID", "InvoiceID", "InvoiceNumber",
        depends_on=("accounts", "products"), line_subform="Invoiced_Items",
    ),
}
ENGINE_MODULES = tuple(MODULES)
# Zoho Contacts: contact persons of the account's Xero contact, or a Xero contact of their own (`persons`,
# `sync.contacts_sync`). Not in ENGINE_MODULES: the generic planner does not handle them. Zoho creates upsert on
# Email (the system duplicate key), so a retried create never duplicates.
CONTACTS = ModuleSpec("contacts", "Contacts", "Full_Name", "Email", "ContactID", "Name", depends_on=("accounts",))


# Modules the live triggers (On Save Sync, cron) run, in dependency order: a contact needs its account first.
LIVE_MODULES = ("accounts", "contacts", "products", "invoices")


def spec(module: str) -> ModuleSpec:
    if module == "contacts":
        return CONTACTS
    try:
        return MODULES[module]
    except KeyError:
        raise LookupError(f"The sync engine does not handle the module {module!r}") from None
