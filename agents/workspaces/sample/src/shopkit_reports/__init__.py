"""shopkit_reports: sales summaries of saved carts (a src/ layout package)."""

from . import formats

__all__ = ["formats"]
