"""Summaries as a text table (the `reports` extra's `tabulate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tabulate import tabulate

if TYPE_CHECKING:
    from ..summary import Summary


def render(summary: Summary) -> str:
    rows = [
        ["carts", summary.carts],
        ["mean total", f"{summary.mean_cents / 100:.2f}"],
        ["median total", f"{summary.median_cents / 100:.2f}"],
    ]
    return tabulate(rows, headers=["", "value"])
