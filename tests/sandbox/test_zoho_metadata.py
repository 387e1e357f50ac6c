"""Metadata endpoints of the Zoho emulator: fields, modules, org, users, taxes."""

import pytest

from tests.sandbox.test_zoho_support import connect, seed


@pytest.fixture
def crm(sandbox):
    seed(sandbox)
    return connect(sandbox)


def test_fields_describe_types_picklists_lookups_subforms_and_custom_fields(crm):
    missing = crm.get("settings/fields")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    unknown = crm.get("settings/fields", params={"module": "Leads"})  # fields.json's InvalidParamError
    assert unknown.status_code == 400 and unknown.json()["code"] == "INVALID_MODULE"
    assert unknown.json()["details"] == {"api_name": "module"}
    fields = {field["api_name"]: field for field in crm.get("settings/fields", params={"module": "Invoices"})
              .json()["fields"]}
    assert fields["Status"]["data_type"] == "picklist"
    assert [v["actual_value"] for v in fields["Status"]["pick_list_values"]] == [
        "-None-", "Created", "Approved", "Delivered", "Paid", "Cancelled"]
    assert fields["Account_Name"]["lookup"]["module"]["api_name"] == "Accounts"
    assert fields["Account_Name"]["system_mandatory"] is True and fields["Account_Name"]["json_type"] == "jsonobject"
    assert fields["Invoiced_Items"]["data_type"] == "subform"
    assert fields["Invoiced_Items"]["subform"]["module"] == "Invoiced_Items"
    assert fields["Xero_Invoice_ID"]["custom_field"] is True and fields["Subject"]["custom_field"] is False
    assert fields["Grand_Total"]["read_only"] is True and fields["Subject"]["length"] == 120
    lines = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Invoiced_Items"})
             .json()["fields"]}
    assert lines["Product_Name"]["lookup"]["module"]["api_name"] == "Products" and "Line_Tax" in lines
    taxes = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Products"}).json()["fields"]}
    assert {v["actual_value"] for v in taxes["Tax"]["pick_list_values"]} == {"GST", "NZ GST", "VAT", "Zero Rated"}


def test_modules_list_the_four_supported_modules(crm):
    modules = crm.get("settings/modules").json()["modules"]
    assert [m["api_name"] for m in modules] == ["Accounts", "Contacts", "Products", "Invoices"]
    assert all(m["api_supported"] for m in modules)
    one = crm.get("settings/modules/Invoices").json()["modules"][0]
    assert one["singular_label"] == "Invoice" and one["fields"]


def test_org_and_taxes(crm):
    org = crm.get("org").json()["org"][0]
    assert org["company_name"] == "Alpenblick Handels GmbH" and org["currency"] == "EUR"
    assert org["time_zone"] == "Europe/Berlin" and org["id"].isdigit()
    taxes = {tax["name"]: tax["value"] for tax in crm.get("org/taxes").json()["org_taxes"]["taxes"]}
    assert taxes == {"GST": 10.0, "NZ GST": 15.0, "VAT": 20.0, "Zero Rated": 0.0}


def test_users_carry_their_language_and_current_user_is_the_connecting_one(crm):
    users = crm.get("users").json()
    assert {u["language"] for u in users["users"]} == {"de_DE", "fr_FR", "en_US"}
    assert users["info"]["count"] == 3
    current = crm.get("users", params={"type": "CurrentUser"}).json()["users"]
    assert [(u["email"], u["language"]) for u in current] == [("demo@zoho.sandbox", "de_DE")]


def test_an_unknown_api_path_is_an_invalid_url_pattern(crm):
    response = crm.get("settings/nothing/here")
    assert response.status_code == 404 and response.json()["code"] == "INVALID_URL_PATTERN"
