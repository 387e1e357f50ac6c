"""Xero items (Code required and unique, one GET returns all, DELETE) and the reference data reads."""

from .xero_helpers import AU, UK, api_for


def test_an_item_needs_a_code_and_codes_are_unique(sandbox):
    api = api_for(sandbox)
    missing = api.put("Items", {"Items": [{"Name": "No code"}]}, params={"summarizeErrors": "false"})
    assert missing.json()["Items"][0]["ValidationErrors"] == [{"Message": "Item code must be specified."}]
    assert missing.json()["Items"][0]["Code"] == ""  # the Item schema requires Code, so the echo carries one
    assert api.put("Items", {"Items": [{"Code": "abc", "Name": "First"}]}).status_code == 200
    duplicate = api.put("Items", {"Items": [{"Code": "ABC", "Name": "Second"}]})
    assert duplicate.status_code == 400
    assert duplicate.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Price List Item with Code ''ABC'' already exists"}]


def test_post_updates_an_item_by_code_and_delete_removes_it(sandbox):
    api = api_for(sandbox)
    item = api.put("Items", {"Items": [{"Code": "CHAIR", "Name": "Chair", "SalesDetails": {
        "UnitPrice": 12.3456, "AccountCode": "200", "TaxType": "OUTPUT"}}]}).json()["Items"][0]
    updated = api.post("Items", {"Items": [{"Code": "CHAIR", "Name": "Armchair"}]}).json()["Items"][0]
    assert updated["ItemID"] == item["ItemID"] and updated["Name"] == "Armchair"
    assert api.get("Items").json()["Items"][0]["SalesDetails"]["UnitPrice"] == 12.35
    assert api.get("Items", params={"unitdp": 4}).json()["Items"][0]["SalesDetails"]["UnitPrice"] == 12.3456
    deleted = api.delete(f"Items/{item['ItemID']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert "Content-Type" not in deleted.headers  # no body, no media type (Django's default would be text/html)
    assert api.get(f"Items/{item['ItemID']}").status_code == 404
    assert api.delete(f"Items/{item['ItemID']}").status_code == 404


def test_item_details_must_use_existing_accounts_and_tax_types(sandbox):
    api = api_for(sandbox)
    response = api.put("Items", {"Items": [{"Code": "X", "SalesDetails": {"AccountCode": "999", "TaxType": "VAT99"}}]},
                       params={"summarizeErrors": "false"})
    messages = [e["Message"] for e in response.json()["Items"][0]["ValidationErrors"]]
    assert "Account code '999' is not a valid code." in messages
    assert any("VAT99" in m for m in messages)


def test_one_get_returns_every_item_without_paging(sandbox):
    api = api_for(sandbox, items=130)
    body = api.get("Items").json()
    assert len(body["Items"]) == 130 and "pagination" not in body
    assert [i["Code"] for i in api.get("Items", params={"where": 'Code=="ITEM-007"'}).json()["Items"]] == ["ITEM-007"]


def test_accounts_tax_rates_and_organisation_describe_the_tenant(sandbox):
    api = api_for(sandbox)
    accounts = api.get("Accounts").json()["Accounts"]
    sales = next(a for a in accounts if a["Code"] == "200")
    assert (sales["Name"], sales["Type"], sales["Status"], sales["TaxType"]) == ("Sales", "REVENUE", "ACTIVE", "OUTPUT")
    assert [a["Code"] for a in api.get("Accounts", params={"where": 'Type=="BANK"'}).json()["Accounts"]] == ["090", "091"]
    rates = {r["TaxType"]: r for r in api.get("TaxRates").json()["TaxRates"]}
    assert rates["OUTPUT"]["EffectiveRate"] == 10.0 and rates["OUTPUT"]["CanApplyToRevenue"] is True
    assert rates["OUTPUT"]["TaxComponents"][0]["Rate"] == 10.0
    assert api.get("TaxRates/OUTPUT").json()["TaxRates"][0]["Name"] == "GST on Income"
    assert api.get("TaxRates/NOPE").status_code == 404
    organisation = api.get("Organisation").json()["Organisations"][0]
    assert (organisation["OrganisationID"], organisation["BaseCurrency"], organisation["CountryCode"]) == (AU, "AUD", "AU")
    api.session.headers["xero-tenant-id"] = UK
    assert api.get("Organisation").json()["Organisations"][0]["BaseCurrency"] == "GBP"
    assert {"OUTPUT2", "INPUT2", "ZERORATEDOUTPUT"} <= {r["TaxType"] for r in api.get("TaxRates").json()["TaxRates"]}


def test_currencies_list_each_organisations_enabled_currencies_base_first(sandbox):
    api = api_for(sandbox)
    body = api.get("Currencies").json()
    assert body["Currencies"] == [{"Code": "AUD", "Description": "Australian Dollar"},
                                  {"Code": "EUR", "Description": "Euro"},
                                  {"Code": "NZD", "Description": "New Zealand Dollar"},
                                  {"Code": "USD", "Description": "United States Dollar"}]
    assert [c["Code"] for c in api.get("Currencies", params={"where": 'Code=="USD"'}).json()["Currencies"]] == ["USD"]
    api.session.headers["xero-tenant-id"] = UK
    assert [c["Code"] for c in api.get("Currencies").json()["Currencies"]] == ["GBP", "EUR", "USD"]
