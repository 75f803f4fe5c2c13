"""Run the benchmarks: `python -m bench [name ...]` (all when no name is given)."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys

BENCHMARKS = {
    "aggregation": "bench.aggregation",
    "audit": "bench.audit_chain",
    "ceiling": "bench.ceiling",
    "label_pdf": "bench.label_pdf",
    "list_pages": "bench.list_pages",
    "publication": "bench.publication",
    "search": "bench.search",
}


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of: {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"# machine: {machine}, Python {platform.python_version()}")
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
