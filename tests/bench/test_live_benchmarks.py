"""The cron and on-save benchmarks at a tiny size, run as `python -m bench` runs them (a child process of their
own, with fresh databases and the sandbox, portal and worker processes), so they cannot rot unnoticed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import Figure, load

ROOT = Path(__file__).resolve().parents[2]


def _run(module: str, tmp_path, **sizes) -> dict[tuple[str, str], Figure]:
    path = tmp_path / "figures.json"
    env = {**os.environ, **{name: str(value) for name, value in sizes.items()}}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the benchmark chooses its own settings and databases
    finished = subprocess.run([sys.executable, "-m", "bench._child", module, str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=900)  # a deadline, for busy cores
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    figures = load(path)
    assert all(isinstance(figure, Figure) for figure in figures), figures
    return {(figure.scenario, figure.metric): figure for figure in figures}


def test_a_cron_run_with_nothing_changed_reads_once_per_module_and_direction(tmp_path):
    figures = _run("bench.cron_idle", tmp_path, CRON_BENCH_RECORDS=3)

    for module in ("accounts", "contacts", "products", "invoices"):
        for direction in ("Zoho → Xero", "Xero → Zoho"):
            figure = figures[(f"{module}, {direction}", "API calls")]
            assert (figure.value, figure.met) == (1, True), figure
    assert figures[("whole cycle", "writes")].value == 0
    assert figures[("whole cycle", "API calls (all modules, both ways)")].value == 8
    assert figures[("seeded state", "records linked")].value >= 4 * 3
    expired = "cycle after the tokens expired"
    assert figures[(expired, "token refreshes (OAuth, not API calls)")].value == 2  # one per provider
    assert figures[(expired, "API calls (all modules, both ways)")].value == 8


def test_every_edit_reaches_xero_through_the_notification_and_the_worker(tmp_path):
    figures = _run("bench.on_save", tmp_path, ON_SAVE_BENCH_EDITS=5, ON_SAVE_BENCH_SERIAL_EDITS=2,
                   ON_SAVE_BENCH_RECORDS=3)

    load_scenario, serial = "5 edits, 1 every 100-250 ms", "2 edits, one at a time"
    assert figures[(load_scenario, "edits synced")].value == "5/5"
    assert figures[(load_scenario, "last value in Xero")].met is True
    assert figures[(serial, "edits synced")].value == "2/2"
    p50, p95 = figures[(load_scenario, "edit → Xero write, p50")], figures[(load_scenario, "edit → Xero write, p95")]
    assert 0 < p50.value <= p95.value < 60_000
    assert p95.goal == "< 2000 ms" and p95.met == (p95.value < 2000)
    assert 0 < figures[(load_scenario, "Xero writes per edit")].value <= 1


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="SKIPPED WITHOUT POSTGRESQL: the audit page benchmark measures PostgreSQL's indexes only "
                           "(on SQLite it refuses to run, tests/audit/test_bench.py). Run with DATABASE_URL=postgres://")
def test_the_audit_page_benchmark_runs_at_a_tiny_size(tmp_path):
    figures = _run("bench.audit_page", tmp_path, AUDIT_BENCH_ROWS=500, AUDIT_BENCH_REPEATS=2)

    p95 = [figure for (scenario, metric), figure in figures.items() if metric == "p95"]
    assert len(p95) >= 5 and all(figure.value > 0 for figure in p95)
    assert all(scenario.startswith("500 entries: ") for scenario, _metric in figures)
