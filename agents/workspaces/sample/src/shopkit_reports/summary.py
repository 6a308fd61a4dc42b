"""A summary of carts: how many, their totals, the mean and median total.

`import statistics` here is the standard library's module, not the workspace's own
`statistics.py` script at the top of the workspace.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass
from pathlib import Path

from shopkit.catalog import Catalog
from shopkit.pricing import total
from shopkit.storage import load


@dataclass(frozen=True)
class Summary:
    carts: int
    totals_cents: list[int]

    @property
    def mean_cents(self) -> float:
        return statistics.mean(self.totals_cents) if self.totals_cents else 0.0

    @property
    def median_cents(self) -> float:
        return statistics.median(self.totals_cents) if self.totals_cents else 0.0


def summarise(paths: list[Path], catalog: Catalog) -> Summary:
    totals = [total(load(path, catalog)) for path in paths]
    return Summary(carts=len(totals), totals_cents=totals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shopkit-report")
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--yaml", action="store_true", help="write YAML instead of a table")
    parser.add_argument("carts", nargs="+", type=Path)
    args = parser.parse_args(argv)
    summary = summarise(args.carts, Catalog.from_csv(args.catalog))
    if args.yaml:
        from shopkit_reports.export import to_yaml  # only when asked: it needs PyYAML

        print(to_yaml(summary))
    else:
        from shopkit_reports.formats.table import render

        print(render(summary))
    return 0
