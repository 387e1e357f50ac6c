"""What every benchmark reports, and how `make bench` prints it and keeps it in bench/RESULTS.md.

A benchmark module exposes `run() -> list[Figure]` (the measurement) and `main() -> int` (prints its own
table; 0 when it ran). `python -m bench` runs them all, prints one table and rewrites bench/RESULTS.md with
the date and the machine.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass(frozen=True)
class Figure:
    """One measured figure: `value` in `unit`, against `goal` (text), `met` None when there is no goal."""

    benchmark: str
    scenario: str
    metric: str
    value: float | int | str
    unit: str = ""
    goal: str = ""
    met: bool | None = None

    def shown_value(self) -> str:
        value = self.value
        if isinstance(value, float):
            text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        elif isinstance(value, int):
            text = f"{value:,}"
        else:
            text = str(value)
        return f"{text} {self.unit}".strip()

    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


@dataclass(frozen=True)
class Skipped:
    """A benchmark that could not run here, and why (shown in the table, never silently dropped)."""

    benchmark: str
    reason: str


HEADERS = ("Benchmark", "Scenario", "Metric", "Value", "Goal", "")


def _rows(figures) -> list[tuple[str, ...]]:
    rows = []
    for figure in figures:
        if isinstance(figure, Skipped):
            rows.append((figure.benchmark, "—", "not run", figure.reason, "", "SKIPPED"))
        else:
            rows.append((figure.benchmark, figure.scenario, figure.metric, figure.shown_value(), figure.goal,
                         figure.verdict()))
    return rows


def text_table(figures) -> str:
    rows = [HEADERS, *_rows(figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(figures) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS[:-1]) + " | Verdict |", "|" + " --- |" * len(HEADERS)]
    for row in _rows(figures):
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    database = os.environ.get("DATABASE_URL", "sqlite (default)").split("://", 1)[0]
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem (default)").split("://", 1)[0]
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {sys.version.split()[0]}; database {database}; broker {broker}")


def write_results(figures, *, notes: str = "", path: Path = RESULTS) -> None:
    """Rewrite RESULTS.md with these figures, today's date and this machine."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        "# Benchmark results\n\n"
        "Written by `make bench` (`python -m bench`); rerun it to refresh. Figures come from this machine:\n\n"
        f"- **Date:** {stamp}\n- **Machine:** {machine()}\n\n"
        f"{markdown_table(figures)}\n"
    )
    if notes:
        text += f"\n{notes.strip()}\n"
    path.write_text(text, encoding="utf-8")


def dump(figures, path: Path) -> None:
    """Write figures as JSON (how a benchmark run in a child process hands them back)."""
    rows = [{"kind": type(f).__name__, **asdict(f)} for f in figures]
    Path(path).write_text(json.dumps(rows), encoding="utf-8")


def load(path: Path) -> list:
    kinds = {"Figure": Figure, "Skipped": Skipped}
    return [kinds[row.pop("kind")](**row) for row in json.loads(Path(path).read_text(encoding="utf-8"))]
