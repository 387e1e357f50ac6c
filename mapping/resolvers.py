"""The resolver the transform asks to follow links and apply an organisation's settings, and a dict-based one
(for tests, and for callers that have the data at hand). mapping.taxes.OrganisationResolver reads the database."""

from typing import Protocol


class Resolver(Protocol):
    """What the sync engine passes so the transform can follow links and apply the organisation's settings.

    Xero references: for Accounts and Contacts the Xero ContactID; for Products the Xero Item Code (lines carry it).
    """

    def to_xero(self, zoho_module: str, zoho_id: str) -> str | None: ...

    def to_zoho(self, zoho_module: str, xero_reference: str) -> str | None: ...

    def xero_tax_type(self, zoho_tax_name: str, percentage) -> str | None: ...

    def zoho_tax(self, xero_tax_type: str) -> dict | None: ...  # {"name", "percentage", "id"}

    def default_account_code(self, module: str) -> str | None: ...

    def tax_mode(self) -> str: ...  # "Exclusive", "Inclusive" or "NoTax"

    # Xero lines without an item: the Zoho product chosen for them (by the line's account code, else the default),
    # {"id", "name"} or None; and, for a Zoho line product, the account code it stands for ("" = the default
    # account) when it is such a product, else None.
    def line_product(self, account_code: str) -> dict | None: ...

    def itemless_account(self, zoho_product_id: str) -> str | None: ...


class DictResolver:
    """A resolver over plain dicts: links ``{zoho_module: {zoho_id: xero_ref}}``, tax mapping
    ``{zoho_tax_name: xero_tax_type}``, Zoho taxes ``{name: {"percentage", "id"}}``, default accounts per module."""

    def __init__(
        self, links=None, tax_types=None, zoho_taxes=None, default_accounts=None, tax_mode="Exclusive",
        line_products=None,
    ):
        self.line_products = line_products or {}  # {account code or "": {"id", "name"}}
        self.links = links or {}
        self.tax_types = tax_types or {}
        self.zoho_taxes = zoho_taxes or {}
        self.default_accounts = default_accounts or {}
        self._tax_mode = tax_mode

    def to_xero(self, zoho_module, zoho_id):
        return self.links.get(zoho_module, {}).get(str(zoho_id))

    def to_zoho(self, zoho_module, xero_reference):
        reverse = {xero: zoho for zoho, xero in self.links.get(zoho_module, {}).items()}
        return reverse.get(xero_reference)

    def xero_tax_type(self, zoho_tax_name, percentage):
        return self.tax_types.get(zoho_tax_name)

    def zoho_tax(self, xero_tax_type):
        name = next((zoho for zoho, xero in self.tax_types.items() if xero == xero_tax_type), None)
        if name is None:
            return None
        return {"name": name, **self.zoho_taxes.get(name, {})}

    def default_account_code(self, module):
        return self.default_accounts.get(module)

    def tax_mode(self):
        return self._tax_mode

    def line_product(self, account_code):
        return line_product_of(self.line_products, account_code)

    def itemless_account(self, zoho_product_id):
        return itemless_account_of(self.line_products, zoho_product_id)


def line_product_of(line_products: dict, account_code) -> dict | None:
    """The product for an item-less line of ``account_code``: its own, else the default ("")."""
    return line_products.get(str(account_code or "")) or line_products.get("")


def itemless_account_of(line_products: dict, zoho_product_id) -> str | None:
    """The account code a Zoho product chosen for item-less lines stands for ("" = the default), else None. A
    product chosen for several codes (or also as the default) goes back with the default account."""
    codes = [code for code, product in line_products.items() if str(product["id"]) == str(zoho_product_id)]
    if not codes:
        return None
    return codes[0] if len(codes) == 1 else ""
