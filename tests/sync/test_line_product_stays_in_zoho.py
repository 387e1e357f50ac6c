"""The Zoho product chosen for Xero lines without an item (Mapping › Xero Accounts) stands in for "no item": it is
not created as a Xero item. Clicking through make run, the admin followed the page's advice ("use a product that is
not a Xero item, for example Freight"), created Freight in Zoho CRM without a code, and On Save Sync at once tried
to create it as an item in both Xero organisations: two failures ("Freight has no value for Item code"). A Zoho
invoice with a Freight line would then have waited on it, though its line goes to Xero without an item. A product of the same code or name that is already in Xero is still linked (matching comes before routing)."""

from audit.models import AuditEntry
from mapping import taxes
from sync.triggers import cron

from .portal_setup import connect, start_syncing


def test_the_product_for_lines_without_an_item_is_not_created_in_xero(sandbox, owner_client, organisation, owner,
                                                                      settings):
    portal = connect(sandbox, owner_client, organisation, owner, settings)
    freight, cable = portal.zoho.insert_records("Products", [{"Product_Name": "Freight", "Unit_Price": 0},
                                                             {"Product_Name": "Cable", "Product_Code": "CB"}])
    [account] = portal.zoho.insert_records("Accounts", [{"Account_Name": "Coastal Plumbing"}])
    portal.zoho.insert_records("Invoices", [{  # an invoice with a freight line: an item-less line in Xero
        "Subject": "Pipes delivered", "Account_Name": {"id": account.id}, "Invoiced_Items": [
            {"Product_Name": {"id": cable.id}, "Quantity": 2, "List_Price": 10},
            {"Product_Name": {"id": freight.id}, "Quantity": 1, "List_Price": 25, "Description": "Freight to site"}]}])
    taxes.save_line_products(portal.xero_organisation, {"": {"id": freight.id, "name": "Freight"}})
    start_syncing(portal, modules=["accounts", "products", "invoices"], directions=("zoho_to_xero",))

    cron.run_organisation(organisation)

    assert list(AuditEntry.objects.filter(status="failed").values_list("record_name", "message")) == []
    assert [item["Name"] for item in portal.xero.get_items()] == ["Cable"]
    [invoice] = list(portal.xero.iter_invoices())
    assert [(line.get("ItemCode"), line["Description"]) for line in invoice["LineItems"]] == [
        ("CB", "Cable"), (None, "Freight to site")]
