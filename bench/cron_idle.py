"""Benchmark: a cron run with nothing changed costs one API call per module and direction (issue 9).

    .venv/bin/python -m bench.cron_idle               # SQLite, in a scratch folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/syncportal .venv/bin/python -m bench.cron_idle

The sandbox runs as its own server process (bench/live_stack.py). A portal organisation is connected to it and
both sides are seeded with CRON_BENCH_RECORDS records per module (default 200: Zoho accounts with their contacts,
products, invoices; Xero contacts, items, invoices). Cron passes run until one writes nothing (the first moves
everything both ways, the next takes the echoes of its own writes), so every link and watermark is set. Then one
more cron cycle runs, as Beat starts it (`cron_organisation_task`), and the sandbox's counters are read before
and after each module and direction: the calls of each step, per provider and endpoint.

Token refreshes (OAuth, not API calls, so not in the counters) are counted from the sandbox's traffic log, and
calls to endpoints other than the module's own (reference data) are reported on their own line. A second cycle
runs after the access tokens expired (Xero's live 30 minutes, so every third cron run meets one): the portal
refreshes each provider's token once (an OAuth call, not counted by Xero's or Zoho's API limits) and the API calls
stay the same.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

RECORDS = int(os.environ.get("CRON_BENCH_RECORDS", "200"))
MAX_SETTLING_PASSES = 5
BENCHMARK = "cron_idle"
ARROWS = {"zoho_to_xero": "Zoho → Xero", "xero_to_zoho": "Xero → Zoho"}
# The endpoints a module reads in each direction (its own data); anything else is reference data.
OWN_ENDPOINTS = {
    ("accounts", "zoho_to_xero"): ("zoho", "Accounts"), ("accounts", "xero_to_zoho"): ("xero", "Contacts"),
    ("contacts", "zoho_to_xero"): ("zoho", "Contacts"), ("contacts", "xero_to_zoho"): ("xero", "Contacts"),
    ("products", "zoho_to_xero"): ("zoho", "Products"), ("products", "xero_to_zoho"): ("xero", "Items"),
    ("invoices", "zoho_to_xero"): ("zoho", "Invoices"), ("invoices", "xero_to_zoho"): ("xero", "Invoices"),
}
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")


def _snapshot(stack) -> Counter:
    counts: Counter = Counter()
    for provider, data in stack.counters().items():
        for row in data.get("rows", []):
            counts[(provider, row["method"], row["endpoint"])] += row["calls"]
    return counts


def _writes(calls: Counter) -> int:
    return sum(n for (_p, method, endpoint), n in calls.items() if method in WRITE_METHODS and "coql" not in endpoint)


def _api_lines(lines) -> list[dict]:
    """Traffic-log lines of API calls (the counters' rule: Xero's api.xro/2.0 and /connections, Zoho's /crm/v8)."""
    return [line for line in lines if any(part in line.get("url", "") for part in ("/api.xro/", "/crm/v8/",
                                                                                    "/xero/connections"))]


def _is_own(module: str, direction: str, line: dict) -> bool:
    own_provider, own_name = OWN_ENDPOINTS[(module, direction)]
    path = urlsplit(line["url"]).path
    return line["provider"] == own_provider and (f"/{own_name}" in path or path.endswith("/coql"))


def _token_refreshes(lines) -> int:
    return sum(1 for line in lines if "/token" in line.get("url", "") and line.get("method") == "POST")


def _shown(calls: Counter) -> str:
    return ", ".join(f"{p} {m} {e} ×{n}" for (p, m, e), n in sorted(calls.items())) or "none"


def _measure_cycle(stack, organisation):
    """One cron cycle as Beat starts it, with the counters read around each module and direction."""
    from sync.triggers import cron, tasks

    steps: list[tuple[str, str, Counter, list, float]] = []
    real_run_module = cron.run_module

    def measured_run_module(xero_organisation, module, direction, **options):
        before, moment = _snapshot(stack), time.monotonic()
        _lines, start = stack.traffic()
        try:
            return real_run_module(xero_organisation, module, direction, **options)
        finally:
            calls, seconds = _snapshot(stack) - before, time.monotonic() - moment
            steps.append((module, direction, calls, _api_lines(stack.traffic(start)[0]), seconds))

    _lines, offset = stack.traffic()
    before_cycle = _snapshot(stack)
    cron.run_module = measured_run_module
    try:
        started = time.monotonic()
        tasks.cron_organisation_task.apply(args=[str(organisation.pk)])
        seconds = time.monotonic() - started
    finally:
        cron.run_module = real_run_module
    return steps, _snapshot(stack) - before_cycle, stack.traffic(offset)[0], seconds


def run(records: int = RECORDS) -> list:
    from bench.live_stack import LiveStack
    from bench.report import Figure

    with LiveStack(BENCHMARK, traffic_log=True) as stack:
        stack.configure(xero={"webhooks_enabled": False})  # no portal server here: the cron is measured alone
        connected = stack.connect()
        products = max(1, records)
        stack.seed(zoho={"accounts": records, "products": products, "invoices": records},
                   xero={"contacts": records, "items": records, "invoices": records})

        from django.utils import timezone

        from sync.engine.modules import MODULE_ORDER
        from sync.models import RecordLink
        from sync.triggers import cron

        organisation = connected.organisation
        started = time.monotonic()
        for settling in range(1, MAX_SETTLING_PASSES + 1):
            before = _snapshot(stack)
            cron.run_organisation(organisation)
            written = _writes(_snapshot(stack) - before)
            print(f"  settling pass {settling}: {written} writes", flush=True)
            if not written:
                break
        settle_seconds = time.monotonic() - started
        links = RecordLink.objects.filter(xero_organisation=connected.xero_organisation).count()
        print(f"  {links} records linked in {settle_seconds:.1f} s ({settling} passes)", flush=True)

        steps, cycle_calls, cycle_lines, cycle_seconds = _measure_cycle(stack, organisation)
        # The same, once the access tokens have expired (Xero's live 30 minutes: every third cron run).
        from connections.models import XeroTokenSet, ZohoConnection

        expired = timezone.now() - timedelta(minutes=1)
        XeroTokenSet.objects.filter(organisation=organisation).update(expires_at=expired)
        ZohoConnection.objects.filter(organisation=organisation).update(expires_at=expired)
        expired_steps, expired_calls, expired_lines, _seconds = _measure_cycle(stack, organisation)

    figures = []
    reference: Counter = Counter()
    in_steps: Counter = Counter()
    for module in MODULE_ORDER:
        for direction in ARROWS:
            found = [step for step in steps if step[0] == module and step[1] == direction]
            if not found:
                figures.append(Figure(BENCHMARK, f"{module}, {ARROWS[direction]}", "API calls", "not run", "",
                                      "≤ 1", False))
                continue
            _m, _d, calls, lines, seconds = found[0]
            in_steps.update(calls)
            own = sum(1 for line in lines if _is_own(module, direction, line))
            for line in lines:
                if not _is_own(module, direction, line):
                    reference[(line["provider"], line["method"], urlsplit(line["url"]).path)] += 1
            total = sum(calls.values())
            urls = ", ".join(f"{line['method']} {urlsplit(line['url']).path}" for line in lines)
            print(f"  {module:<9} {ARROWS[direction]}: {total} calls ({urls or 'none'}) in {seconds * 1000:.0f} ms",
                  flush=True)
            figures.append(Figure(BENCHMARK, f"{module}, {ARROWS[direction]}", "API calls", total, "calls", "≤ 1",
                                  total <= 1 and own == total))
    outside = cycle_calls - in_steps
    reference.update(outside)
    refreshes = _token_refreshes(cycle_lines)
    print(f"  outside the module runs: {_shown(outside)}; token refreshes: {refreshes}", flush=True)
    figures += [
        Figure(BENCHMARK, "whole cycle", "API calls (all modules, both ways)", sum(cycle_calls.values()), "calls",
               f"≤ {2 * len(MODULE_ORDER)}", sum(cycle_calls.values()) <= 2 * len(MODULE_ORDER)),
        Figure(BENCHMARK, "whole cycle", "reference-data calls", sum(reference.values()), "calls"),
        Figure(BENCHMARK, "whole cycle", "token refreshes", refreshes, ""),
        Figure(BENCHMARK, "whole cycle", "writes", _writes(cycle_calls), "calls", "0", _writes(cycle_calls) == 0),
        Figure(BENCHMARK, "whole cycle", "wall time", round(cycle_seconds * 1000), "ms"),
        Figure(BENCHMARK, "seeded state", "records linked", links, f"links ({records} per module and side)"),
    ]
    expired_total = sum(expired_calls.values())
    expired_most = max((sum(calls.values()) for _m, _d, calls, _l, _s in expired_steps), default=0)
    expired_refreshes = _token_refreshes(expired_lines)
    print(f"  after the access tokens expired: {expired_total} API calls ({_shown(expired_calls)}), "
          f"{expired_refreshes} token refreshes", flush=True)
    figures += [
        Figure(BENCHMARK, "cycle after the tokens expired", "API calls (all modules, both ways)", expired_total,
               "calls", f"≤ {2 * len(MODULE_ORDER)}", expired_total <= 2 * len(MODULE_ORDER)),
        Figure(BENCHMARK, "cycle after the tokens expired", "most API calls of one module and direction",
               expired_most, "calls", "≤ 1", expired_most <= 1),
        Figure(BENCHMARK, "cycle after the tokens expired", "token refreshes (OAuth, not API calls)",
               expired_refreshes, "", "≤ 2 (one per provider)", expired_refreshes <= 2),
    ]
    return figures


def main() -> int:
    from bench.report import text_table

    print(text_table(run()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
