"""How the survey writes counts and cut lists, so numbers agree in grammar everywhere.

`count(1, "module")` is "1 module", `count(2, "module")` "2 modules"; `of(25, 140)` is "25 of
140", the words every cut list uses. Thousands are separated by commas (the reviewer reads them
back without the commas).
"""

from __future__ import annotations

#: Nouns whose plural is not the singular plus "s".
_PLURALS = {
    "dependency": "dependencies",
    "entry point": "entry points",
    "class": "classes",
    "is": "are",
    "does": "do",
    "it": "they",
    "one": "ones",
}


def number(value: int) -> str:
    """Return `value` with thousands separated by commas."""
    return f"{value:,}"


def noun(value: int, singular: str, plural: str | None = None) -> str:
    """Return `singular` or its plural, as `value` requires."""
    if value == 1:
        return singular
    return plural or _PLURALS.get(singular) or f"{singular}s"


def count(value: int, singular: str, plural: str | None = None) -> str:
    """Return "1 module", "2 modules", "1,234 files"."""
    return f"{number(value)} {noun(value, singular, plural)}"


def of(shown: int, total: int) -> str:
    """Return "25 of 140" (or just "140" when all are shown)."""
    if shown >= total:
        return number(total)
    return f"{number(shown)} of {number(total)}"


def shown(count_shown: int, total: int) -> str:
    """Return " (25 of 140)" for a cut list, "" for one shown whole."""
    return f" ({of(count_shown, total)})" if count_shown < total else ""


def listing(items: list[str], total: int | None = None, *, conjunction: str = "and") -> str:
    """Return "a, b and c"; with a `total` larger than the items, "a, b, c (3 of 140)"."""
    total = len(items) if total is None else total
    if total > len(items):
        return ", ".join(items) + f" ({of(len(items), total)})"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} {items[-1]}"
