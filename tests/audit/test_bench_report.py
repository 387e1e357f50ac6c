"""The benchmark report: one table for every benchmark, kept in RESULTS.md with the date and the machine."""

import subprocess
import sys

from bench import report
from bench.report import Figure, Skipped


def test_it_prints_met_missed_and_skipped_rows_in_one_table():
    table = report.text_table([
        Figure("historical", "Zoho → Xero, N=1,000", "calls / floor", 1.1, "×", goal="≤ 1.2×", met=True),
        Figure("on_save", "200 edits", "p95", 2500.0, "ms", goal="< 2,000 ms", met=False),
        Skipped("audit_page", "needs PostgreSQL"),
    ])
    lines = table.splitlines()
    assert lines[0].split() == ["Benchmark", "Scenario", "Metric", "Value", "Goal"]
    assert "1.10 ×" in lines[2] and lines[2].endswith("met")
    assert "2,500 ms" in lines[3] and lines[3].endswith("MISSED")
    assert "needs PostgreSQL" in lines[4] and lines[4].endswith("SKIPPED")


def test_results_md_has_the_date_the_machine_and_a_markdown_row_per_figure(tmp_path):
    path = tmp_path / "RESULTS.md"
    report.write_results([Figure("cron_idle", "accounts Zoho → Xero", "calls", 1, goal="≤ 1", met=True)], path=path)
    text = path.read_text()
    assert "- **Date:** 20" in text and "cores" in text and "Python 3." in text
    assert "| cron_idle | accounts Zoho → Xero | calls | 1 | ≤ 1 | met |" in text


def test_figures_survive_the_trip_from_a_child_process(tmp_path):
    figures = [Figure("x", "s", "m", 1.5, "ms", "< 2", True), Skipped("y", "why")]
    report.dump(figures, tmp_path / "f.json")
    assert report.load(tmp_path / "f.json") == figures


def test_a_benchmark_that_cannot_run_still_shows_in_the_table_and_fails_the_run(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bench", "bench.does_not_exist"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "does_not_exist" in result.stdout and "failed (exit 1)" in result.stdout
