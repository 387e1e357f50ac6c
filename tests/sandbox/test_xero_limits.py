"""Xero's limits per tenant: per minute, per day, in flight; the headers on every response."""

import concurrent.futures

from .xero_helpers import AU, UK, api_for


def test_the_per_minute_limit_answers_429_with_retry_after_and_the_problem(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"minute_limit": 3})
    remaining = [int(api.get("Organisation").headers["X-MinLimit-Remaining"]) for _ in range(3)]
    assert remaining == [2, 1, 0]
    refused = api.get("Organisation")
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    assert "X-DayLimit-Remaining" in refused.headers


def test_the_minute_window_opens_again_after_sixty_seconds(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"minute_limit": 1})
    assert api.get("Organisation").status_code == 200
    assert api.get("Organisation").status_code == 429
    sandbox.advance_clock(61)
    assert api.get("Organisation").status_code == 200


def test_limits_are_counted_per_tenant(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"minute_limit": 1})
    assert api.get("Organisation").status_code == 200
    assert api.get("Organisation").status_code == 429
    api.session.headers["xero-tenant-id"] = UK
    assert api.get("Organisation").status_code == 200


def test_the_daily_limit_says_day_and_waits_until_the_tenants_window_ends(sandbox):
    sandbox.configure(xero={"access_token_lifetime": 2 * 86400})  # so the token outlives the day
    api = api_for(sandbox)
    sandbox.configure(xero={"day_limit": 2})
    first = api.get("Organisation")
    assert first.headers["X-DayLimit-Remaining"] == "1"
    api.get("Organisation")
    refused = api.get("Organisation")
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "day"
    assert 3600 < int(refused.headers["Retry-After"]) <= 86400
    sandbox.advance_clock(86400)
    assert api.get("Organisation").status_code == 200


def test_refused_calls_do_not_use_up_the_window(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"minute_limit": 2, "day_limit": 100})
    api.get("Organisation")
    api.get("Organisation")
    for _ in range(3):
        assert api.get("Organisation").status_code == 429
    assert api.get("Contacts").headers.get("X-DayLimit-Remaining") == "98"


def test_every_response_carries_the_limit_headers(sandbox):
    api = api_for(sandbox)
    for response in (api.get("Contacts"), api.put("Contacts", {"Contacts": [{"Name": ""}]}),
                     api.get("Contacts/00000000-0000-0000-0000-000000000000")):
        assert {"X-MinLimit-Remaining", "X-DayLimit-Remaining", "X-AppMinLimit-Remaining"} <= set(response.headers)


def test_more_calls_in_flight_than_allowed_are_refused_with_429(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"concurrent_limit": 2}, latency={"xero": 0.8})
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: api.get("Organisation"), range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 429, 429]
    refused = [r for r in responses if r.status_code == 429]
    assert all(r.headers["X-Rate-Limit-Problem"] == "concurrent" for r in refused)
    sandbox.configure(latency={"xero": 0})
    assert api.get("Organisation").status_code == 200  # the slots were given back


def test_the_in_flight_limit_lets_calls_in_sequence_through(sandbox):
    api = api_for(sandbox)
    sandbox.configure(xero={"concurrent_limit": 1})
    assert [api.get("Organisation").status_code for _ in range(5)] == [200] * 5
    assert AU
