"""Benchmarks: `python -m bench` runs every module listed here and prints their figures.

Each module has a `main() -> int` (0 when it ran) and can be run alone: `python -m bench.audit_page`.
"""

MODULES = ["bench.audit_page", "bench.historical", "bench.cron_idle", "bench.on_save"]
