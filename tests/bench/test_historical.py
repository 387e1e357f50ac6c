"""The historical-sync benchmark (bench.historical) keeps working: a tiny run end to end, and its arithmetic."""

import math

from bench import historical

SAMPLE = {
    "direction": "zoho_to_xero", "n": 1000, "done": 3000, "failed": 0, "wall_seconds": 30.0, "cpu_seconds": 4.5,
    "peak_rss_mb": 100.0, "growth_mb": 20.0,
    "calls": {"total": 90, "zoho": 15, "xero": 75,
              "by_endpoint": {"zoho": {"GET crm/v8/<module>": 15}, "xero": {"PUT api.xro/2.0/Contacts": 75}}},
}


def test_the_floors_follow_the_issue():
    assert historical.floor("zoho_to_xero", 1000) == {"zoho": 15, "xero": 60 + historical.REFERENCE_CALLS}
    assert historical.floor("xero_to_zoho", 10_000) == {"xero": 300 + historical.REFERENCE_CALLS, "zoho": 300}
    assert historical.floor("zoho_to_xero", 201)["zoho"] == 3 * math.ceil(201 / 200)


def test_the_figures_compute_ratio_cpu_projection_and_memory_growth():
    large = {**SAMPLE, "n": 10_000, "peak_rss_mb": 180.0, "calls": {**SAMPLE["calls"], "xero": 600, "total": 615}}
    figures = historical.figures({("zoho_to_xero", 1000): SAMPLE, ("zoho_to_xero", 10_000): large})
    by = {(f.scenario.split(", ")[1], f.metric): f for f in figures}
    ratio = by[("N=1,000 each of accounts", "ratio to the floor (77 calls)")]
    assert ratio.value == 90 / 77 and ratio.met is True
    assert by[("N=1,000 each of accounts", "engine CPU per record")].value == 1.5  # 4.5 s / 3,000 records
    projected = by[("N=10,000 each of accounts", "projected wall time at Xero's 60 calls/min")]
    assert projected.value == 10.0  # 600 Xero calls at 60 a minute, longer than the 30 s measured
    [memory] = [f for f in figures if f.metric == "worker peak memory ratio"]
    assert memory.value == 1.8 and memory.met is False


def test_a_tiny_historical_sync_runs_both_ways_and_reports_calls_against_the_floor():
    figures = historical.run([20])
    for label, direction in (("Zoho → Xero", "zoho_to_xero"), ("Xero → Zoho", "xero_to_zoho")):
        mine = {f.metric: f for f in figures if f.scenario.startswith(f"{label}, N=20 ")}
        least = historical.floor(direction, 20)
        zoho, xero = mine[f"zoho calls (floor {least['zoho']})"].value, mine[f"xero calls (floor {least['xero']})"].value
        assert zoho > 0 and xero > 0
        ratio = mine[f"ratio to the floor ({sum(least.values())} calls)"]
        assert ratio.value == (zoho + xero) / sum(least.values()) and ratio.met in (True, False)
        assert mine["engine CPU per record"].value > 0
        assert mine["wall time, no rate limits"].value > 0
        done, failed = (int(part.replace(",", "")) for part in mine["records done / failed"].value.split(" / "))
        assert done > 0 and done + failed <= 60
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
        assert mine["records done / failed"].value == on["records done / failed"].value  # the same records
        assert mine["records done / failed"].value.endswith(" / 0")  # none failed
    by_id_on = on["Zoho invoices read by id (line items)"]
    by_id_off = off["Zoho invoices read by id (line items)"]
    assert by_id_off.goal == "fallback" and by_id_off.value >= 20  # every invoice, one call each
    assert by_id_on.goal != "fallback" and by_id_on.value < by_id_off.value
