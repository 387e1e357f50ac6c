"""`python -m bench._child MODULE PATH`: run one benchmark's `run()` and write its figures to PATH as JSON.

`python -m bench` runs every benchmark in a child process of its own, so each sets Django up with its own
settings and databases, and one benchmark's memory or threads cannot skew the next.
"""

import importlib
import sys

from bench.report import dump


def main(module: str, path: str) -> int:
    dump(importlib.import_module(module).run(), path)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
