"""The historical-sync benchmark (bench.historical) keeps working: a tiny run end to end, and its arithmetic."""

import math

from bench import historical

SAMPLE = {
    "direction": "zoho_to_xero", "n": 1000, "done": 2990, "failed": 0, "skipped": 10, "source_records": 3000,
    "lines": 2500, "wall_seconds": 30.0, "cpu_seconds": 4.5, "sql_statements": 5400, "peak_rss_mb": 100.0,
    "growth_mb": 20.0,
    "calls": {"total": 90, "zoho": 15, "xero": 75,
              "by_endpoint": {"zoho": {"GET crm/v8/<module>": 15}, "xero": {"PUT api.xro/2.0/Contacts": 75}}},
}


def test_the_floors_follow_the_issue():
    # Zoho -> Xero, per module: Zoho reads ⌈N/200⌉ (+ line items ⌈lines/200⌉), Xero match reads ⌈N/100⌉ once,
    # Xero writes ⌈N/50⌉; plus Organisation and Currencies once.
    assert historical.floor("zoho_to_xero", 1000, lines=2500) == {
        "zoho": 15 + 13, "xero": 30 + 60 + historical.REFERENCE_CALLS}
    # Xero -> Zoho: Xero reads ⌈N/100⌉, Zoho match reads ⌈N/200⌉, Zoho writes ⌈N/100⌉; no reference calls.
    assert historical.floor("xero_to_zoho", 10_000) == {"xero": 300, "zoho": 150 + 300}
    assert historical.floor("zoho_to_xero", 201)["zoho"] == 3 * math.ceil(201 / 200)
    assert historical.floor("zoho_to_xero", 100_000, modules=("accounts",)) == {"zoho": 500, "xero": 1000 + 2000}
    terms = historical.floor_terms("zoho_to_xero", 1000, lines=2500)
    assert ("⌈2,500 lines/200⌉ line items", 13) in terms["zoho"]


def test_the_figures_compute_ratio_cpu_sql_projection_skips_and_memory_growth():
    large = {**SAMPLE, "n": 10_000, "peak_rss_mb": 180.0, "source_records": 30_000, "done": 29_990,
             "calls": {**SAMPLE["calls"], "xero": 600, "total": 615}}
    figures = historical.figures({("zoho_to_xero", 1000): SAMPLE, ("zoho_to_xero", 10_000): large})
    by = {(f.scenario.split(", ")[1], f.metric.split(" (floor")[0]): f for f in figures}
    least = sum(historical.floor("zoho_to_xero", 1000, lines=2500).values())
    ratio = by[("N=1,000 each of accounts", f"ratio to the floor ({least} calls)")]
    assert ratio.value == 90 / least and ratio.met is True  # 90 calls against a floor of 120: within 1.1×
    assert by[("N=1,000 each of accounts", "engine CPU per record")].value == 1.5  # 4.5 s / 3,000 records
    assert by[("N=1,000 each of accounts", "engine CPU per record")].met is True
    sql = by[("N=1,000 each of accounts", "SQL statements per record")]
    assert sql.value == 1.8 and sql.met is True
    zoho = [f for f in figures if f.metric.startswith("zoho calls (floor 28: 3×⌈N/200⌉ reads = 15 + ⌈2,500 lines")]
    assert len(zoho) == 1  # the floor's formula is printed beside the figure
    counted = by[("N=1,000 each of accounts", "records done / failed / skipped (of the source's)")]
    assert counted.value == "2,990 / 0 / 10 (of 3,000)" and counted.met is True
    uncounted = historical.figures({("zoho_to_xero", 1000): {**SAMPLE, "skipped": 0}})
    assert [f.met for f in uncounted if f.metric.startswith("records done")] == [False]
    projected = by[("N=10,000 each of accounts", "projected wall time at Xero's 60 calls/min")]
    assert projected.value == 10.0  # 600 Xero calls at 60 a minute, longer than the 30 s measured
    [memory] = [f for f in figures if f.metric == "worker peak memory ratio"]
    assert memory.value == 1.8 and memory.met is False


def test_the_large_scenario_is_only_run_when_asked(monkeypatch):
    monkeypatch.delenv("BENCH_LARGE", raising=False)
    assert historical.scenarios([10]) == [("zoho_to_xero", 10, historical.MODULES),
                                          ("xero_to_zoho", 10, historical.MODULES)]
    monkeypatch.setenv("BENCH_LARGE", "1")
    assert historical.scenarios([10])[-1] == ("zoho_to_xero", historical.LARGE_N, ("accounts",))


def test_a_tiny_historical_sync_runs_both_ways_and_reports_calls_against_the_floor():
    figures = historical.run([20])
    for label in ("Zoho → Xero", "Xero → Zoho"):
        mine = {f.metric.split(" (floor")[0]: f for f in figures if f.scenario.startswith(f"{label}, N=20 ")}
        zoho, xero = mine["zoho calls"].value, mine["xero calls"].value
        assert zoho > 0 and xero > 0
        [ratio] = [f for m, f in mine.items() if m.startswith("ratio to the floor")]
        assert ratio.value > 0 and ratio.met in (True, False)
        assert mine["engine CPU per record"].value > 0
        assert mine["SQL statements per record"].value > 0
        assert mine["wall time, no rate limits"].value > 0
        counted = mine["records done / failed / skipped (of the source's)"]
        assert counted.met is True, counted  # every source record is done, failed or skipped
        assert mine["worker peak memory (ru_maxrss)"].value > 0
        writes = sum(f.value for m, f in mine.items() if m.startswith(("xero calls: PUT", "zoho calls: POST"))
                     and "coql" not in m)
        assert writes > 0  # the job wrote to the target


def test_a_tiny_zoho_to_xero_job_is_correct_with_the_bulk_read_paths_on_and_off():
    figures = historical.run([20], directions=("zoho_to_xero",), modes=["on", "off"])
    on = {f.metric: f for f in figures if f.scenario == "Zoho → Xero, N=20 each of accounts, products, invoices"}
    off = {f.metric: f for f in figures if f.scenario.endswith("invoices, Zoho bulk read paths off")}
    for mine in (on, off):
        assert mine["job finished (every planned record done or refused)"].value == "yes"
        counted = "records done / failed / skipped (of the source's)"
        assert mine[counted].value == on[counted].value and mine[counted].met is True  # the same records
        assert " / 0 / " in mine[counted].value  # none failed
    by_id_on = on["Zoho invoices read by id (line items)"]
    by_id_off = off["Zoho invoices read by id (line items)"]
    assert by_id_off.goal == "fallback" and by_id_off.value >= 20  # every invoice, one call each
    assert by_id_on.goal != "fallback" and by_id_on.value < by_id_off.value
