"""Per-org limits of the Zoho emulator: concurrency (429) and daily API credits."""

import threading

import pytest

from tests.sandbox.test_zoho_support import connect, seed


@pytest.fixture
def crm(sandbox):
    seed(sandbox)
    return connect(sandbox)


def test_calls_over_the_editions_concurrency_get_429(sandbox, crm):
    sandbox.configure(zoho={"concurrency": 2}, latency={"zoho": 0.6})
    results = []

    def call():
        response = crm.http.get(f"{crm.api_domain}/crm/v8/org", timeout=15)
        results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 2 and statuses.count(429) == 2
    throttled = next(body for status, body in results if status == 429)
    assert throttled["code"] == "TOO_MANY_REQUESTS" and throttled["status"] == "error"
    sandbox.configure(latency={"zoho": 0.0})
    assert crm.get("org").status_code == 200


def test_api_credits_are_counted_per_day_and_refused_when_spent(sandbox, crm):
    sandbox.configure(zoho={"daily_credits": 5})
    assert crm.post("Accounts", json={"data": [{"Account_Name": f"Credit {i}"} for i in range(25)]}).status_code == 201
    first = crm.get("org")  # 3 credits for 25 records + 1
    assert first.status_code == 200 and first.headers["X-API-CREDITS-REMAINING"] == "1"
    assert crm.get("org").status_code == 200
    spent = crm.get("org")
    assert spent.status_code == 429 and spent.json()["code"] == "TOO_MANY_REQUESTS"
    sandbox.advance_clock(24 * 3600 + 60)
    crm.http.headers["Authorization"] = "Zoho-oauthtoken " + _fresh_token(crm)
    assert crm.get("org").status_code == 200


def _fresh_token(crm):
    from tests.sandbox.test_zoho_support import refresh

    return refresh(crm.accounts_server, crm.tokens["refresh_token"]).json()["access_token"]


def test_calls_are_counted_per_org_and_endpoint(sandbox, crm):
    sandbox.reset_counters()
    crm.get("org")
    crm.get("Accounts", params={"fields": "Account_Name"})
    crm.get("Accounts", params={"fields": "Account_Name"})
    org_id = crm.get("org").json()["org"][0]["id"]
    zoho = sandbox.counters()["zoho"]
    assert zoho["total"] == 4 and zoho["by_tenant"] == {org_id: 4}
    assert sorted(zoho["by_endpoint"].values()) == [2, 2]


def test_injected_failures_use_zohos_error_body(sandbox, crm):
    sandbox.configure(inject={"zoho": {"429": 1.0}})
    response = crm.get("org")
    assert response.status_code == 429 and response.json()["code"] == "TOO_MANY_REQUESTS"
    sandbox.configure(inject={"zoho": {"429": 0.0, "500": 1.0}})
    failed = crm.get("org")
    assert failed.status_code == 500 and failed.json()["code"] == "INTERNAL_ERROR"
