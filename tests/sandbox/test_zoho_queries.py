"""Search, COQL and the record count of the Zoho emulator."""

import pytest

from tests.sandbox.test_zoho_support import connect, seed


@pytest.fixture
def crm(sandbox):
    seed(sandbox, accounts=0, products=0, invoices=0)
    crm = connect(sandbox)
    crm.post("Accounts", json={"data": [
        {"Account_Name": "Acme (Europe) GmbH", "Billing_City": "Berlin"},
        {"Account_Name": "Acme Pacific Pty Ltd", "Billing_City": "Sydney"},
        {"Account_Name": "Globex SARL", "Billing_City": "Paris"},
    ]})
    crm.post("Contacts", json={"data": [
        {"Last_Name": "Weber", "First_Name": "Lena", "Email": "lena@acme.example.com", "Phone": "+49 30 1111"},
        {"Last_Name": "Martin", "First_Name": "Hugo", "Email": "hugo@globex.example.com"},
    ]})
    return crm


def names(response):
    return sorted(row["Account_Name"] for row in response.json()["data"])


def test_search_by_criteria_with_equals_starts_with_in_and_or(crm):
    assert names(crm.get("Accounts/search", params={"criteria": "(Account_Name:starts_with:Acme)"})) == [
        "Acme (Europe) GmbH", "Acme Pacific Pty Ltd"]
    escaped = crm.get("Accounts/search", params={"criteria": r"(Account_Name:equals:Acme \(Europe\) GmbH)"})
    assert names(escaped) == ["Acme (Europe) GmbH"]
    both = crm.get("Accounts/search", params={
        "criteria": "((Account_Name:starts_with:Acme)and(Billing_City:equals:sydney))"})
    assert names(both) == ["Acme Pacific Pty Ltd"]
    either = crm.get("Accounts/search", params={
        "criteria": "((Billing_City:equals:Paris)or(Billing_City:equals:Berlin))"})
    assert names(either) == ["Acme (Europe) GmbH", "Globex SARL"]
    listed = crm.get("Accounts/search", params={"criteria": "(Billing_City:in:Paris,Sydney)"})
    assert names(listed) == ["Acme Pacific Pty Ltd", "Globex SARL"]
    assert crm.get("Accounts/search", params={"criteria": "(Billing_City:equals:Rome)"}).status_code == 204


def test_search_by_email_phone_and_word(crm):
    by_email = crm.get("Contacts/search", params={"email": "HUGO@globex.example.com"}).json()["data"]
    assert [row["Last_Name"] for row in by_email] == ["Martin"]
    by_phone = crm.get("Contacts/search", params={"phone": "+49 30 1111"}).json()["data"]
    assert [row["Last_Name"] for row in by_phone] == ["Weber"]
    assert names(crm.get("Accounts/search", params={"word": "globex"})) == ["Globex SARL"]
    missing = crm.get("Accounts/search")  # module_search.json's Mandatory_Param_Missing
    assert missing.status_code == 400 and missing.json()["code"] == "EXPECTED_PARAM_MISSING"
    assert missing.json()["details"]["param_names"] == ["criteria", "email", "phone", "word"]
    broken = crm.get("Accounts/search", params={"criteria": "(Account_Name:contains:x)"})
    assert broken.status_code == 400 and broken.json()["code"] == "INVALID_QUERY"
    assert broken.json()["details"]["operator"] == "contains"
    assert broken.json()["message"] == "Invalid query formed" and broken.json()["details"]["api_name"] == "Account_Name"
    unbalanced = crm.get("Accounts/search", params={"criteria": "((Account_Name:equals:x)"})
    assert unbalanced.status_code == 400 and unbalanced.json()["code"] == "INVALID_QUERY"


def test_coql_selects_by_modified_time_with_keyset_order_and_limit(sandbox, crm):
    first = crm.post("coql", json={"select_query": (
        "select Account_Name, Billing_City from Accounts where Modified_Time >= '2000-01-01T00:00:00+00:00' "
        "order by Modified_Time asc, id asc limit 2")})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["info"] == {"count": 2, "more_records": True}
    assert set(body["data"][0]) == {"Account_Name", "Billing_City", "id"}
    rest = crm.post("coql", json={"select_query": (
        "select Account_Name from Accounts where Modified_Time >= '2000-01-01T00:00:00+00:00' "
        "order by Modified_Time asc, id asc limit 2 offset 2")}).json()
    assert rest["info"]["more_records"] is False
    ids = [row["id"] for row in body["data"] + rest["data"]]
    assert len(set(ids)) == 3 and ids == sorted(ids, key=int)
    sandbox.advance_clock(10)
    updated = crm.call("PUT", "Accounts", json={"data": [{"id": ids[0], "Billing_City": "Hamburg"}]})
    since = updated.json()["data"][0]["details"]["Modified_Time"]
    changed = crm.post("coql", json={"select_query": (
        f"select Account_Name, Billing_City from Accounts where (Modified_Time >= '{since}' "
        "and Billing_City is not null) order by Modified_Time asc, id asc limit 200")}).json()
    assert [row["Billing_City"] for row in changed["data"]] == ["Hamburg"]


def test_coql_supports_in_like_and_lookups(crm):
    account = crm.get("Accounts/search", params={"word": "globex"}).json()["data"][0]
    crm.call("PUT", "Contacts", json={"data": [{"id": crm.get("Contacts/search", params={
        "email": "hugo@globex.example.com"}).json()["data"][0]["id"], "Account_Name": {"id": account["id"]}}]})
    linked = crm.post("coql", json={"select_query": (
        f"select Last_Name, Account_Name from Contacts where Account_Name = '{account['id']}'")}).json()
    assert linked["data"][0]["Last_Name"] == "Martin" and linked["data"][0]["Account_Name"] == {"id": account["id"]}
    liked = crm.post("coql", json={"select_query": "select Account_Name from Accounts where Account_Name like 'Acme%'"})
    assert len(liked.json()["data"]) == 2
    listed = crm.post("coql", json={"select_query": (
        "select Account_Name from Accounts where Billing_City in ('Paris', 'Berlin') order by Account_Name desc")})
    assert [row["Account_Name"] for row in listed.json()["data"]] == ["Globex SARL", "Acme (Europe) GmbH"]
    none = crm.post("coql", json={"select_query": "select Account_Name from Accounts where Billing_City = 'Rome'"})
    assert none.status_code == 204


def test_coql_errors(crm):
    syntax = crm.post("coql", json={"select_query": "select from Accounts where"})
    assert syntax.status_code == 400 and syntax.json()["code"] == "SYNTAX_ERROR"
    column = crm.post("coql", json={"select_query": "select Nope from Accounts where id > 1"})
    assert column.json()["code"] == "INVALID_QUERY" and column.json()["details"]["column_name"] == "Nope"
    limit = crm.post("coql", json={"select_query": "select Account_Name from Accounts where id > 1 limit 2001"})
    assert limit.json()["code"] == "LIMIT_EXCEEDED"
    missing = crm.post("coql", json={})  # coql.json's 400 answers know no REQUIRED_PARAM_MISSING
    assert missing.status_code == 400 and missing.json()["code"] == "INVALID_QUERY"
    assert missing.json()["details"]["param_name"] == "select_query"


def test_count_counts_live_records_and_search_matches(crm):
    assert crm.get("Accounts/actions/count").json() == {"count": 3}
    assert crm.get("Accounts/actions/count", params={"word": "acme"}).json() == {"count": 2}
