"""Records of the Zoho emulator: listing rules, paging past 2,000 with page_token, writes and their errors."""

import pytest

from sandbox.zoho.models import Activity
from tests.sandbox.test_zoho_support import connect, refresh, seed


@pytest.fixture
def crm(sandbox):
    seed(sandbox, accounts=5, products=4, invoices=3)
    return connect(sandbox)


def _account(name, **extra):
    return {"Account_Name": name, "Phone": "+49 30 555 0100", "Billing_City": "Berlin", **extra}


def test_listing_requires_fields_and_allows_at_most_fifty(crm):
    missing = crm.get("Accounts")
    assert missing.status_code == 400
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING" and missing.json()["details"]["param_name"] == "fields"
    too_many = crm.get("Accounts", params={"fields": ",".join(["Account_Name"] * 51)})
    assert too_many.status_code == 400 and too_many.json()["code"] == "LIMIT_EXCEEDED"
    assert too_many.json()["details"]["limit"] == 50


def test_per_page_is_at_most_two_hundred(crm):
    response = crm.get("Accounts", params={"fields": "Account_Name", "per_page": 201})
    assert response.status_code == 400 and response.json()["code"] == "LIMIT_EXCEEDED"
    ok = crm.get("Accounts", params={"fields": "Account_Name,Phone", "per_page": 2})
    body = ok.json()
    assert ok.status_code == 200 and len(body["data"]) == 2
    assert set(body["data"][0]) == {"Account_Name", "Phone", "id"}
    assert body["info"]["more_records"] is True and body["info"]["per_page"] == 2
    assert body["info"]["sort_by"] == "id" and body["info"]["sort_order"] == "desc"


def test_an_empty_module_answers_204_and_if_modified_since_filters(sandbox, crm):
    crm.call("DELETE", "Invoices", params={"ids": ",".join(
        r["id"] for r in crm.get("Invoices", params={"fields": "Subject"}).json()["data"])})
    empty = crm.get("Invoices", params={"fields": "Subject"})
    assert empty.status_code == 204 and empty.content == b""
    sandbox.advance_clock(60)
    created = crm.post("Accounts", json={"data": [_account("Fresh Account GmbH")]}).json()["data"][0]
    since = created["details"]["Modified_Time"]
    recent = crm.get("Accounts", params={"fields": "Account_Name"}, headers={"If-Modified-Since": since})
    assert [row["Account_Name"] for row in recent.json()["data"]] == ["Fresh Account GmbH"]
    sandbox.advance_clock(60)
    later = crm.get("Accounts", params={"fields": "Account_Name"},
                    headers={"If-Modified-Since": "2999-01-01T00:00:00+00:00"})
    assert later.status_code == 304


def test_paging_stops_at_two_thousand_records_and_page_token_goes_beyond(sandbox):
    seed(sandbox, accounts=2150, products=0, invoices=0)
    crm = connect(sandbox)
    params = {"fields": "Account_Name", "sort_by": "id", "sort_order": "asc"}
    beyond = crm.get("Accounts", params={**params, "page": 11})
    assert beyond.status_code == 400 and beyond.json()["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    seen, token, page = [], None, 0
    while True:
        page += 1
        extra = {"page_token": token} if token else {"page": page}
        body = crm.get("Accounts", params={**params, **extra}).json()
        seen += [row["id"] for row in body["data"]]
        if not body["info"]["more_records"]:
            break
        token = body["info"]["next_page_token"] if page >= 10 else None
        assert body["info"]["page_token_expiry"]
    assert len(seen) == 2150 == len(set(seen)) and seen == sorted(seen, key=int)
    assert page == 11
    bound = crm.get("Accounts", params={"fields": "Account_Name,Phone", "page_token": token})
    assert bound.status_code == 400 and bound.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"
    sandbox.advance_clock(86401)
    fresh = refresh(crm.accounts_server, crm.tokens["refresh_token"]).json()["access_token"]
    crm.http.headers["Authorization"] = f"Zoho-oauthtoken {fresh}"
    expired = crm.get("Accounts", params={**params, "page_token": token})
    assert expired.status_code == 400 and expired.json()["code"] == "EXPIRED_VALUE"


def test_get_one_invoice_returns_line_items_with_line_tax_and_computed_totals(crm):
    products = crm.get("Products", params={"fields": "Product_Name,Unit_Price"}).json()["data"]
    account = crm.get("Accounts", params={"fields": "Account_Name", "per_page": 1}).json()["data"][0]
    created = crm.post("Invoices", json={"data": [{
        "Subject": "Consulting March", "Account_Name": {"id": account["id"]}, "Status": "Created",
        "Invoiced_Items": [
            {"Product_Name": {"id": products[0]["id"]}, "Quantity": 3, "List_Price": 19.99,
             "Line_Tax": [{"name": "VAT", "percentage": 20}]},
            {"Product_Name": {"id": products[1]["id"]}, "Quantity": 1, "List_Price": 100, "Discount": 10,
             "Line_Tax": [{"name": "GST"}]},
        ]}]})
    assert created.status_code == 201, created.text
    record_id = created.json()["data"][0]["details"]["id"]
    invoice = crm.get(f"Invoices/{record_id}").json()["data"][0]
    first, second = invoice["Invoiced_Items"]
    assert first["Product_Name"] == {"id": products[0]["id"], "name": products[0]["Product_Name"]}
    assert first["Line_Tax"][0]["name"] == "VAT" and first["Line_Tax"][0]["value"] == 11.99  # 59.97 * 20 %
    assert second["Total_After_Discount"] == 90.0 and second["Line_Tax"][0]["value"] == 9.0
    assert invoice["Sub_Total"] == 149.97 and invoice["Tax"] == 20.99 and invoice["Grand_Total"] == 170.96
    assert invoice["Account_Name"] == {"id": account["id"], "name": account["Account_Name"]}
    assert invoice["Invoice_Number"].startswith("INV-")
    assert invoice["Created_Time"].endswith("+01:00") or invoice["Created_Time"].endswith("+02:00")
    assert "Invoiced_Items" not in crm.get("Invoices", params={"fields": "Subject,Invoiced_Items"}).json()["data"][0]


def test_an_invoice_line_without_a_product_is_refused_as_real_zoho_does(crm):
    account = crm.get("Accounts", params={"fields": "Account_Name", "per_page": 1}).json()["data"][0]
    response = crm.post("Invoices", json={"data": [{
        "Subject": "Freight only", "Account_Name": {"id": account["id"]},
        "Invoiced_Items": [{"Description": "Freight", "Quantity": 1, "List_Price": 25}]}]})
    result = response.json()["data"][0]
    assert result["code"] == "MANDATORY_NOT_FOUND"
    assert result["details"]["api_name"] == "Product_Name"
    assert result["details"]["json_path"] == "$.data[0].Invoiced_Items[0].Product_Name"


def test_insert_takes_at_most_a_hundred_records(crm):
    response = crm.post("Accounts", json={"data": [_account(f"Bulk {i}") for i in range(101)]})
    assert response.status_code == 400 and response.json()["code"] == "LIMIT_EXCEEDED"
    ok = crm.post("Accounts", json={"data": [_account(f"Bulk {i}") for i in range(100)]})
    assert ok.status_code == 201 and len(ok.json()["data"]) == 100
    assert {row["code"] for row in ok.json()["data"]} == {"SUCCESS"}


def test_mixed_results_answer_207_with_a_result_per_record(crm):
    response = crm.post("Accounts", json={"data": [_account("Good One Ltd"), {"Phone": "+44 20 1234 5678"}]})
    assert response.status_code == 207
    good, bad = response.json()["data"]
    assert good["code"] == "SUCCESS" and good["message"] == "record added" and good["details"]["id"].isdigit()
    assert good["details"]["Created_By"]["name"] == "Anna Schmidt"
    assert bad == {"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "Account_Name",
                                                             "json_path": "$.data[1].Account_Name"},
                   "message": "required field not found", "status": "error"}


def test_invalid_data_shapes_for_type_picklist_length_and_lookup(crm):
    response = crm.post("Contacts", json={"data": [
        {"Last_Name": 42},
        {"Last_Name": "Lee", "Email": "not-an-email"},
        {"Last_Name": "x" * 81},
        {"Last_Name": "Lee", "Account_Name": {"id": "4876876999999999999"}},
    ]})
    assert response.status_code == 400
    kind, email, length, lookup = response.json()["data"]
    assert kind["code"] == "INVALID_DATA" and kind["details"]["expected_data_type"] == "text"
    assert kind["details"]["json_path"] == "$.data[0].Last_Name"
    assert email["details"]["api_name"] == "Email"
    assert length["details"]["maximum_length"] == 80
    assert lookup["message"] == "the id given seems to be invalid" and lookup["details"]["api_name"] == "Account_Name"
    picklist = crm.post("Invoices", json={"data": [{"Subject": "S", "Status": "Shipped"}]}).json()["data"][0]
    assert picklist["code"] == "INVALID_DATA" and "Paid" in picklist["details"]["supported_values"]


def test_unique_fields_answer_duplicate_data_with_the_existing_record(crm):
    first = crm.post("Contacts", json={"data": [{"Last_Name": "Ngata", "Email": "aroha@example.com"}]}).json()
    again = crm.post("Contacts", json={"data": [{"Last_Name": "Other", "Email": "AROHA@example.com"}]})
    assert again.status_code == 400
    error = again.json()["data"][0]
    assert error["code"] == "DUPLICATE_DATA" and error["details"]["api_name"] == "Email"
    assert error["details"]["duplicate_record"]["id"] == first["data"][0]["details"]["id"]
    assert error["details"]["duplicate_record"]["module"]["api_name"] == "Contacts"


def test_two_accounts_may_share_a_name_as_in_zoho_by_default(crm):
    first = crm.post("Accounts", json={"data": [_account("Twin Traders")]})
    second = crm.post("Accounts", json={"data": [_account("TWIN TRADERS", Phone="+49 30 555 0199")]})
    assert (first.status_code, second.status_code) == (201, 201)
    ids = [first.json()["data"][0]["details"]["id"], second.json()["data"][0]["details"]["id"]]
    assert ids[0] != ids[1]
    metadata = crm.get("settings/fields", params={"module": "Accounts"}).json()["fields"]
    assert next(f for f in metadata if f["api_name"] == "Account_Name")["unique"] is None


def test_upsert_on_account_name_still_finds_an_account_by_name(crm):
    created = crm.post("Accounts", json={"data": [_account("Upsert Me Ltd")]}).json()["data"][0]
    updated = crm.post("Accounts/upsert", json={"data": [{"Account_Name": "upsert me ltd", "Phone": "+49 30 1"}],
                                                "duplicate_check_fields": ["Account_Name"]}).json()["data"][0]
    assert updated["action"] == "update" and updated["duplicate_field"] == "Account_Name"
    assert updated["details"]["id"] == created["details"]["id"]
    defaulted = crm.post("Accounts/upsert", json={"data": [{"Account_Name": "Upsert Me Ltd", "Fax": "1"}]})
    assert defaulted.json()["data"][0]["details"]["id"] == created["details"]["id"]


def test_upsert_uses_duplicate_check_fields(crm):
    created = crm.post("Products/upsert", json={"data": [{"Product_Name": "Widget", "Product_Code": "W-1"}],
                                                "duplicate_check_fields": ["Product_Code"]}).json()["data"][0]
    assert created["action"] == "insert" and created["duplicate_field"] is None
    updated = crm.post("Products/upsert", json={"data": [{"Product_Name": "Widget Pro", "Product_Code": "W-1",
                                                          "Unit_Price": 12.5}],
                                                "duplicate_check_fields": ["Product_Code"]}).json()["data"][0]
    assert updated["action"] == "update" and updated["duplicate_field"] == "Product_Code"
    assert updated["details"]["id"] == created["details"]["id"]
    product = crm.get(f"Products/{created['details']['id']}").json()["data"][0]
    assert product["Product_Name"] == "Widget Pro" and product["Unit_Price"] == 12.5
    refused = crm.post("Products/upsert", json={"data": [{"Product_Name": "X"}],
                                                "duplicate_check_fields": ["Description"]})
    assert refused.status_code == 400 and refused.json()["code"] == "INVALID_DATA"


def test_update_changes_fields_and_moves_modified_time(sandbox, crm):
    record_id = crm.post("Accounts", json={"data": [_account("Old Name Ltd")]}).json()["data"][0]["details"]["id"]
    sandbox.advance_clock(120)
    response = crm.call("PUT", "Accounts", json={"data": [{"id": record_id, "Account_Name": "New Name Ltd"}],
                                                  "trigger": []})
    assert response.status_code == 200 and response.json()["data"][0]["message"] == "record updated"
    account = crm.get(f"Accounts/{record_id}").json()["data"][0]
    assert account["Account_Name"] == "New Name Ltd" and account["Modified_Time"] != account["Created_Time"]
    unknown = crm.call("PUT", "Accounts", json={"data": [{"id": "123", "Account_Name": "Nope"}]})
    assert unknown.status_code == 400 and unknown.json()["data"][0]["details"]["api_name"] == "id"


def test_the_trigger_key_decides_which_workflows_would_run(crm):
    default = crm.post("Accounts", json={"data": [_account("Trigger Default")]}).json()["data"][0]
    none = crm.post("Accounts", json={"data": [_account("Trigger None")], "trigger": []}).json()["data"][0]
    triggers = dict(Activity.objects.filter(operation="insert").values_list("record_zid", "triggers"))
    assert triggers[int(default["details"]["id"])] == ["workflow", "approval", "blueprint"]
    assert triggers[int(none["details"]["id"])] == []
    bad = crm.post("Accounts", json={"data": [_account("Bad Trigger")], "trigger": ["magic"]})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_DATA"


def test_delete_takes_at_most_a_hundred_ids_and_lists_deleted_records(crm):
    too_many = crm.call("DELETE", "Accounts", params={"ids": ",".join(str(4876876000000000000 + i)
                                                                     for i in range(101))})
    assert too_many.status_code == 400 and too_many.json()["code"] == "LIMIT_EXCEEDED"
    record_id = crm.post("Accounts", json={"data": [_account("Short Lived")]}).json()["data"][0]["details"]["id"]
    response = crm.call("DELETE", "Accounts", params={"ids": f"{record_id},123"})
    assert response.status_code == 207
    assert response.json()["data"][0] == {"code": "SUCCESS", "details": {"id": record_id},
                                          "message": "record deleted", "status": "success"}
    assert crm.get(f"Accounts/{record_id}").status_code == 204
    deleted = crm.get("Accounts/deleted", params={"type": "all"}).json()["data"]
    assert deleted[0]["id"] == record_id and deleted[0]["display_name"] == "Short Lived"
    assert deleted[0]["deleted_by"]["name"] == "Anna Schmidt" and deleted[0]["type"] == "recycle"


def test_an_unknown_module_is_refused(crm):
    response = crm.get("Leadz", params={"fields": "Last_Name"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_MODULE"


def test_x_external_addresses_a_record_by_its_external_id_field(crm):
    crm.post("Accounts", json={"data": [_account("External Ltd", Xero_Contact_ID="c0ffee-1")]})
    headers = {"X-EXTERNAL": "Accounts.Xero_Contact_ID"}
    found = crm.get("Accounts/c0ffee-1", headers=headers)
    assert found.status_code == 200 and found.json()["data"][0]["Account_Name"] == "External Ltd"
    updated = crm.call("PUT", "Accounts/c0ffee-1", headers=headers, json={"data": [{"Phone": "+61 2 5550 1234"}]})
    assert updated.status_code == 200
    assert crm.get("Accounts/c0ffee-1", headers=headers).json()["data"][0]["Phone"] == "+61 2 5550 1234"
    assert crm.get("Accounts/unknown", headers=headers).status_code == 204
    wrong = crm.get("Accounts/c0ffee-1", headers={"X-EXTERNAL": "Accounts.Phone"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_DATA"
    fields = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Accounts"}).json()["fields"]}
    assert fields["Xero_Contact_ID"]["external"]["show"] is True and fields["Phone"]["external"] is None
