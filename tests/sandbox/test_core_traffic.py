"""The sandbox core over HTTP: API call counters, the traffic log, failure injection and reset."""

import json

import requests

from .xero_helpers import AU, CLIENT, UK, api_for, connect, seed_reference, token_request


def test_counters_count_api_calls_per_endpoint_and_tenant_but_not_oauth_or_control_calls(sandbox):
    api = api_for(sandbox)  # authorize page, token exchange: not API calls
    api.get("Contacts")
    api.get("Contacts")
    api.get("Organisation")
    api.session.headers["xero-tenant-id"] = UK
    api.get("Contacts")
    sandbox.config()
    xero = sandbox.counters()["xero"]
    assert xero["total"] == 4
    assert xero["by_endpoint"] == {"api.xro/2.0/Contacts": 3, "api.xro/2.0/Organisation": 1}
    assert xero["by_tenant"] == {AU: 3, UK: 1}
    assert sandbox.counters()["zoho"]["total"] == 0


def test_throttled_calls_are_counted_and_counters_reset(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"minute_limit": 1})
    api.get("Contacts")
    api.get("Contacts")
    xero = sandbox.counters()["xero"]
    assert (xero["total"], xero["throttled"]) == (2, 1)
    sandbox.reset_counters()
    assert sandbox.counters()["xero"]["total"] == 0
    page = requests.get(sandbox.url + "/counters", timeout=5)
    assert page.status_code == 200 and "api.xro/2.0/Contacts" not in page.text


def test_the_counters_page_shows_endpoints_and_tenants(sandbox):
    api = api_for(sandbox)
    api.get("Invoices")
    page = requests.get(sandbox.url + "/counters", timeout=5).text
    assert "api.xro/2.0/Invoices" in page and AU in page and "Demo Company (AU)" in page


def test_the_traffic_log_writes_one_masked_json_line_per_exchange(sandbox, settings, tmp_path):
    log = tmp_path / "traffic.jsonl"
    settings.SANDBOX_TRAFFIC_LOG = str(log)
    seed_reference(sandbox)
    tokens = connect(sandbox)
    api_response = requests.get(sandbox.url + "/xero/api.xro/2.0/Contacts", timeout=5, headers={
        "Authorization": f"Bearer {tokens['access_token']}", "xero-tenant-id": AU})
    assert api_response.status_code == 200
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert all(set(line) == {"provider", "method", "url", "request_headers", "request_body", "status",
                             "response_headers", "response_body", "test"} for line in lines)
    # The test that sent it (pytest's node id): the traffic check lists a test's deliberately invalid requests.
    assert {line["test"] for line in lines} == {
        "tests/sandbox/test_core_traffic.py::test_the_traffic_log_writes_one_masked_json_line_per_exchange"}
    assert all(line["provider"] == "xero" for line in lines)
    token_line = next(line for line in lines if line["url"].endswith("/xero/identity/connect/token"))
    assert token_line["request_headers"]["Authorization"] == "Basic ***"
    assert "code=%2A%2A%2A" in token_line["request_body"] and "code_verifier=%2A%2A%2A" in token_line["request_body"]
    token_body = json.loads(token_line["response_body"])
    assert token_body["access_token"] == "***" and token_body["refresh_token"] == "***"
    api_line = lines[-1]
    assert api_line["method"] == "GET" and api_line["status"] == 200
    assert api_line["url"] == sandbox.url + "/xero/api.xro/2.0/Contacts"
    assert api_line["request_headers"]["Authorization"] == "Bearer ***"
    assert api_line["request_headers"]["Xero-Tenant-Id"] == AU
    assert json.loads(api_line["response_body"])["Contacts"] == []
    assert "X-MinLimit-Remaining" in api_line["response_headers"]
    text = log.read_text()
    for secret in (tokens["access_token"], tokens["refresh_token"], CLIENT[1]):
        assert secret not in text


def test_the_traffic_log_leaves_out_the_sandbox_ui_and_control_endpoints(sandbox, settings, tmp_path):
    log = tmp_path / "traffic.jsonl"
    settings.SANDBOX_TRAFFIC_LOG = str(log)
    seed_reference(sandbox)
    requests.get(sandbox.url + "/xero/ui/", timeout=5)
    requests.get(sandbox.url + "/_sandbox/counters", timeout=5)
    requests.get(sandbox.url + "/", timeout=5)
    assert not log.exists() or log.read_text() == ""


def test_injected_failures_replace_responses_before_anything_changes(sandbox):
    api = api_for(sandbox)
    sandbox.configure(inject={"xero": {"429": 1.0}})
    refused = api.put("Contacts", {"Contacts": [{"Name": "Never Created"}]})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    sandbox.configure(inject={"xero": {"429": 0.0, "500": 1.0}})
    failed = api.put("Contacts", {"Contacts": [{"Name": "Never Created"}]})
    assert failed.status_code == 500
    sandbox.configure(inject={"xero": {"500": 0.0}})
    assert api.get("Contacts").json()["Contacts"] == []
    assert sandbox.counters()["xero"]["total"] == 3


def test_injection_follows_the_configured_fraction_with_a_seeded_sequence(sandbox):
    api = api_for(sandbox)

    def run():
        sandbox.configure(inject={"seed": 42, "xero": {"429": 0.25, "500": 0.25}})
        return [api.get("Organisation").status_code for _ in range(40)]

    first = run()
    assert 8 <= first.count(429) <= 32 and 4 <= first.count(500) <= 20 and first.count(200) >= 8
    assert run() == first  # the same seed gives the same sequence


def test_reset_wipes_both_providers_the_clock_the_config_and_the_counters(sandbox):
    api = api_for(sandbox, contacts=3)
    sandbox.advance_clock(100)
    sandbox.configure(xero={"minute_limit": 7})
    api.get("Contacts")
    sandbox.reset()
    assert sandbox.counters()["xero"]["total"] == 0
    assert sandbox.config()["xero"]["minute_limit"] == 60
    assert requests.get(sandbox.url + "/_sandbox/clock", timeout=5).json()["offset"] == 0
    assert api.get("Contacts").status_code == 401  # tokens and organisations are gone too
    assert "Demo Company" not in requests.get(sandbox.url + "/xero/ui/", timeout=5).text


def test_a_refresh_through_the_token_endpoint_is_not_an_api_call(sandbox):
    seed_reference(sandbox)
    tokens = connect(sandbox)
    token_request(sandbox, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert sandbox.counters()["xero"]["total"] == 0
