"""Times and fractions for auditors: to the millisecond in UTC, progress as a percentage."""

from __future__ import annotations

from datetime import UTC, datetime

#: Shown where there is no value.
NONE = "—"


def format_utc(moment: datetime | None, *, zone: bool = True) -> str:
    """Return `moment` as "2026-11-29 10:50:07.123 UTC" (NONE for None); without " UTC" when
    not `zone` (a column whose header says so)."""
    if moment is None:
        return NONE
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return f"{text} UTC" if zone else text


def format_pct(fraction: float | None) -> str:
    """Return a fraction (0 to 1) as a percentage, one decimal: 0.774 → "77.4 %", 1 → "100 %"."""
    if fraction is None:
        return NONE
    text = f"{fraction * 100:.1f}".removesuffix(".0")
    return f"{text} %"
