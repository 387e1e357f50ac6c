"""Xero invoice lines without an item become Zoho lines with the product the admin chose for such lines (Zoho
requires a product on every line), keeping description, quantity, price and tax; they come back to Xero without
an item and with the account code they stand for."""

from mapping.defaults import default_mapping
from mapping.transform import to_xero, to_zoho
from tests.mapping import records as r

Z2X, X2Z = "zoho_to_xero", "xero_to_zoho"
FREIGHT = {"id": "4876876000000300009", "name": "Freight"}
MATERIALS = {"id": "4876876000000300010", "name": "Materials"}
FREIGHT_LINE = {"LineItemID": "l-2", "Description": "Freight to Perth", "Quantity": 1.0, "UnitAmount": 35.0,
                "AccountCode": "260", "TaxType": "OUTPUT"}
MATERIALS_LINE = {"LineItemID": "l-3", "Description": "Copper pipe", "Quantity": 4.0, "UnitAmount": 12.5,
                  "AccountCode": "310", "TaxType": "OUTPUT"}
INVOICE = {**r.XERO_INVOICE, "LineItems": [*r.XERO_INVOICE["LineItems"], FREIGHT_LINE, MATERIALS_LINE]}


def test_an_itemless_line_gets_the_product_of_its_account_code_else_the_default_and_keeps_its_values():
    resolver = r.resolver(line_products={"": FREIGHT, "310": MATERIALS})
    lines = to_zoho("invoices", default_mapping("invoices", X2Z), INVOICE, resolver)["Invoiced_Items"]
    item, freight, materials = lines
    assert item["Product_Name"] == {"id": r.PRODUCT_ID}
    assert freight["Product_Name"] == {"id": FREIGHT["id"]}
    assert (freight["Description"], freight["Quantity"], freight["List_Price"]) == ("Freight to Perth", 1.0, 35.0)
    assert freight["Line_Tax"][0]["name"] == "GST"
    assert materials["Product_Name"] == {"id": MATERIALS["id"]}
    assert materials["Description"] == "Copper pipe"


def test_without_a_chosen_product_the_itemless_line_has_none_for_the_planner_to_refuse():
    lines = to_zoho("invoices", default_mapping("invoices", X2Z), INVOICE, r.resolver())["Invoiced_Items"]
    assert "Product_Name" not in lines[1] and lines[1]["Description"] == "Freight to Perth"


def test_a_line_with_a_chosen_product_goes_back_to_xero_without_an_item_and_with_its_account():
    resolver = r.resolver(line_products={"": FREIGHT, "310": MATERIALS})
    zoho_invoice = {**r.ZOHO_INVOICE, "Invoiced_Items": [
        *r.ZOHO_INVOICE["Invoiced_Items"],
        {"Product_Name": {**FREIGHT}, "Description": "Freight to Perth", "Quantity": 1, "List_Price": 35,
         "Line_Tax": [{"name": "GST", "percentage": 10}]},
        {"Product_Name": {**MATERIALS}, "Description": "Copper pipe", "Quantity": 4, "List_Price": 12.5,
         "Line_Tax": [{"name": "GST", "percentage": 10}]},
    ]}
    item, freight, materials = to_xero("invoices", default_mapping("invoices", Z2X), zoho_invoice,
                                       resolver)["LineItems"]
    assert item["ItemCode"] == "STAPLER-RED"
    assert "ItemCode" not in freight and freight["AccountCode"] == "200"  # the default product: default account
    assert (freight["Description"], freight["Quantity"], freight["UnitAmount"]) == ("Freight to Perth", 1, 35)
    assert freight["TaxType"] == "OUTPUT"
    assert "ItemCode" not in materials and materials["AccountCode"] == "310"
