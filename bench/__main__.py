"""Run every benchmark in bench.MODULES, one after the other, and exit non-zero if any failed."""

import importlib
import sys

from bench import MODULES


def main() -> int:
    failures = 0
    for name in MODULES:
        print(f"== {name}", flush=True)
        status = importlib.import_module(name).main()
        failures += status != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
