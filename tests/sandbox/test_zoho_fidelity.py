"""Round two of the Zoho emulator's fidelity (issue 16): shapes the official SDK expects, stricter search,
unknown URLs as Zoho JSON, and the empty answers without a content type."""

import pytest
import requests

from tests.sandbox.test_zoho_support import connect, seed


@pytest.fixture
def crm(sandbox):
    seed(sandbox, accounts=2, products=2, invoices=2)
    return connect(sandbox)


def test_every_field_has_a_positive_length_and_the_subform_field_names_its_module(crm):
    for module in ("Accounts", "Contacts", "Products", "Invoices", "Invoiced_Items"):
        fields = crm.get("settings/fields", params={"module": module}).json()["fields"]
        assert all(isinstance(f["length"], int) and f["length"] > 0 for f in fields), module
    invoices = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Invoices"}).json()["fields"]}
    assert invoices["Invoiced_Items"]["associated_module"]["api_name"] == "Invoiced_Items"
    assert invoices["Invoiced_Items"]["associated_module"]["id"]
    assert invoices["Account_Name"]["associated_module"] is None
    assert invoices["Account_Name"]["length"] == 120 and invoices["Invoice_Date"]["length"] == 20


def test_line_tax_is_of_type_linetax_and_each_line_tax_has_a_display_name(crm):
    lines = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Invoiced_Items"})
             .json()["fields"]}
    assert lines["Line_Tax"]["data_type"] == "linetax" and lines["Line_Tax"]["json_type"] == "jsonarray"
    invoice_id = crm.get("Invoices", params={"fields": "Subject"}).json()["data"][0]["id"]
    invoice = crm.get(f"Invoices/{invoice_id}").json()["data"][0]
    taxes = [tax for line in invoice["Invoiced_Items"] for tax in line["Line_Tax"]]
    assert taxes, "the seeded invoice lines carry taxes"
    assert all(tax["display_name"] == f"{tax['name']} - {tax['percentage']:.1f} %" for tax in taxes)


def test_org_taxes_come_wrapped_in_org_taxes_as_the_v8_model_has_them(crm):
    body = crm.get("org/taxes").json()
    assert set(body) == {"org_taxes"}
    assert {tax["name"] for tax in body["org_taxes"]["taxes"]} == {"GST", "NZ GST", "VAT", "Zero Rated"}
    assert body["org_taxes"]["preference"] == {"auto_populate_tax": True, "modify_tax_rates": False}


def test_the_record_count_is_a_number(crm):
    assert crm.get("Accounts/actions/count").json() == {"count": 2}


def test_empty_answers_carry_no_body_and_no_content_type(crm):
    empty = crm.get("Accounts/search", params={"criteria": "(Account_Name:equals:nobody-has-this-name)"})
    assert empty.status_code == 204 and empty.content == b"" and "Content-Type" not in empty.headers
    last = crm.get("Accounts", params={"fields": "Account_Name", "sort_by": "Modified_Time"}).json()["data"][0]
    unchanged = crm.get("Accounts", params={"fields": "Account_Name"},
                        headers={"If-Modified-Since": "2999-01-01T00:00:00+00:00"})
    assert last and unchanged.status_code == 304 and "Content-Type" not in unchanged.headers


def test_unknown_urls_answer_zoho_json_errors_never_html(sandbox, crm):
    for method, url in (("GET", f"{crm.api_domain}/crm/v8/settings/nothing/here"),
                        ("POST", f"{crm.api_domain}/crm/bulk/v9/read"),
                        ("GET", f"{sandbox.url}/zoho/xx/api/crm/v8/Accounts"),
                        ("POST", f"{crm.accounts_server}/oauth/v2/unknown")):
        response = requests.request(method, url, headers=crm.http.headers, timeout=10)
        assert response.status_code == 404, url
        assert response.headers["Content-Type"].startswith("application/json"), url
        assert response.json()["code"] == "INVALID_URL_PATTERN", url


def test_search_refuses_unescaped_parentheses_and_commas_and_equals_matches_like_contains(crm):
    crm.post("Accounts", json={"data": [{"Account_Name": "Acme (Europe) GmbH"}, {"Account_Name": "Acme, Inc"}]})
    for criteria in ("(Account_Name:equals:Acme (Europe) GmbH)", "(Account_Name:equals:Acme, Inc)"):
        refused = crm.get("Accounts/search", params={"criteria": criteria})
        assert refused.status_code == 400 and refused.json()["code"] == "INVALID_QUERY", criteria
    escaped = crm.get("Accounts/search", params={"criteria": r"(Account_Name:equals:Acme \(Europe\) GmbH)"})
    assert [row["Account_Name"] for row in escaped.json()["data"]] == ["Acme (Europe) GmbH"]
    comma = crm.get("Accounts/search", params={"criteria": r"(Account_Name:equals:Acme\, Inc)"})
    assert [row["Account_Name"] for row in comma.json()["data"]] == ["Acme, Inc"]
    contains = crm.get("Accounts/search", params={"criteria": "(Account_Name:equals:europe)"})
    assert [row["Account_Name"] for row in contains.json()["data"]] == ["Acme (Europe) GmbH"]
    listed = crm.get("Accounts/search", params={"criteria": r"(Account_Name:in:Acme\, Inc,Nobody)"})
    assert [row["Account_Name"] for row in listed.json()["data"]] == ["Acme, Inc"]


def test_the_subform_module_is_described_by_settings_modules(crm):
    module = crm.get("settings/modules/Invoiced_Items").json()["modules"][0]
    assert module["api_name"] == "Invoiced_Items" and module["generated_type"] == "default"
    assert module["parent_module"]["api_name"] == "Invoices"
    assert {f["api_name"] for f in module["fields"]} >= {"Product_Name", "Quantity", "Line_Tax"}
