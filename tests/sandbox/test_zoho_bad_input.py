"""Malformed requests to the Zoho emulator get Zoho's error bodies, never a server error."""

from tests.sandbox.test_zoho_support import connect, seed

BAD_CALLS = [
    ("POST", "Accounts", {"data": "not a list"}),
    ("POST", "Accounts", {"data": [None, 5, "x"]}),
    ("POST", "Products", {"data": [{"Product_Name": "P", "Unit_Price": "12"}]}),
    ("POST", "Products", {"data": [{"Product_Name": "P", "Tax": ["Sales tax 99"]}]}),
    ("POST", "Invoices", {"data": [{"Subject": "S", "Account_Name": "abc", "Invoiced_Items": "x"}]}),
    ("POST", "Invoices", {"data": [{"Subject": "S", "Invoice_Date": "31/12/2026"}]}),
    ("POST", "Products/upsert", {"data": [{"Product_Name": "P"}], "duplicate_check_fields": [{"a": 1}]}),
    ("PUT", "Accounts", {"data": [{"id": {"x": 1}}]}),
    ("POST", "coql", {"select_query": "select Account_Name from Accounts limit 1.5"}),
    ("POST", "coql", {"select_query": "select Account_Name from Accounts where Modified_Time > 'yesterday'"}),
    ("POST", "coql", {"select_query": 42}),
    ("POST", "actions/watch", {"watch": [{"channel_id": True, "events": "Accounts.all"}]}),
    ("POST", "actions/watch", {"watch": "x"}),
    ("GET", "Accounts/search?criteria=(Unit_Price:greater_than:abc)", None),
    ("GET", "Products/search?criteria=(Unit_Price:greater_than:abc)", None),
    ("GET", "Accounts?fields=Account_Name&page=zero", None),
    ("GET", "Accounts?fields=Account_Name&ids=1,x", None),
    ("GET", "Accounts?fields=Account_Name&sort_by=Phone", None),
    ("GET", "Accounts/deleted?type=forever", None),
    ("GET", "users?type=Robots", None),
    ("GET", "settings/fields?module=Leads", None),
    # Ids Zoho cannot read: a Unicode digit (str.isdigit() accepts it, int() does not), too long, not a number.
    ("GET", "Accounts/\u00b2", None),
    ("GET", "Accounts/" + "9" * 30, None),
    ("GET", "Accounts/abc", None),
    ("GET", "Accounts?fields=Account_Name&ids=\u00b2", None),
    ("GET", "Accounts?fields=Account_Name&page=\u00b2", None),
    ("PUT", "Accounts", {"data": [{"id": "\u00b2", "Account_Name": "X"}]}),
    ("POST", "actions/watch", {"watch": [{"channel_id": "\u00b2", "events": ["Accounts.all"]}]}),
]


def test_malformed_calls_get_a_zoho_error_body(sandbox):
    seed(sandbox, accounts=1, products=1, invoices=0)
    crm = connect(sandbox)
    for method, path, body in BAD_CALLS:
        response = crm.call(method, path, json=body) if body is not None else crm.call(method, path)
        per_channel = path == "actions/watch" and isinstance(body.get("watch"), list)
        # notifications.json: a watch request whose channels all failed is a 202 with per-channel errors
        assert response.status_code == 202 if per_channel else 400 <= response.status_code < 500, (
            method, path, response.text)
        payload = response.json()
        errors = payload.get("data") or payload.get("watch") or [payload]
        assert all(error["status"] == "error" and error["code"] for error in errors), (method, path, payload)


def test_a_record_id_that_is_not_a_number_is_zohos_invalid_data(sandbox):
    seed(sandbox, accounts=1, products=0, invoices=0)
    response = connect(sandbox).call("GET", "Accounts/\u00b2")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_DATA"


def test_a_body_that_is_not_json_is_refused(sandbox):
    seed(sandbox, accounts=1, products=0, invoices=0)
    crm = connect(sandbox)
    response = crm.call("POST", "Accounts", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_DATA"
