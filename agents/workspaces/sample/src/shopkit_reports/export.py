"""Summaries as YAML. PyYAML is imported here but not declared in pyproject.toml."""

from __future__ import annotations

import yaml

from .summary import Summary


def to_yaml(summary: Summary) -> str:
    data = {"carts": summary.carts, "mean_cents": summary.mean_cents}
    return yaml.safe_dump(data, sort_keys=False)
