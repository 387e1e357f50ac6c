"""Run every benchmark in bench.MODULES, print one table and rewrite bench/RESULTS.md.

    python -m bench                      # everything (this is `make bench`)
    python -m bench bench.historical     # only the named modules (RESULTS.md is then left alone)

Each benchmark runs in a child process of its own (bench/_child.py). Exits non-zero when a benchmark failed
to run. A missed goal is shown as MISSED in the table, not as a failure of the run: the figures are what a
benchmark produces; RESULTS.md and the closing notes say which goals are met.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from bench import MODULES
from bench.report import Skipped, load, text_table, write_results


def _run_in_child(name: str) -> tuple[list, bool]:
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        path = Path(scratch) / "figures.json"
        status = subprocess.call([sys.executable, "-m", "bench._child", name, str(path)])
        if status != 0 or not path.exists():
            return [Skipped(name.removeprefix("bench."), f"failed (exit {status}): see the output above")], False
        return load(path), True


def main(argv: list[str]) -> int:
    names = argv or MODULES
    figures, failures = [], 0
    for name in names:
        print(f"== {name}", flush=True)
        produced, ran = _run_in_child(name)
        figures.extend(produced)
        failures += not ran
    print()
    print(text_table(figures), flush=True)
    if not argv:
        write_results(figures)
        print("\nWrote bench/RESULTS.md", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
