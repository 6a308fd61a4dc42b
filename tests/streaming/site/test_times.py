"""streaming/site/times.py: times to the millisecond in UTC, fractions as percentages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from streaming.site.times import format_pct, format_utc


def test_times_read_to_the_millisecond_in_utc():
    moment = datetime(2026, 11, 29, 10, 50, 7, 123_456, tzinfo=UTC)
    assert format_utc(moment) == "2026-11-29 10:50:07.123 UTC"
    assert format_utc(moment, zone=False) == "2026-11-29 10:50:07.123"
    elsewhere = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert format_utc(elsewhere) == "2026-11-29 10:50:07.123 UTC"
    assert format_utc(None) == "—"


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.7740112994350282, "77.4 %"), (1.0, "100 %"), (0.0, "0 %"), (0.001, "0.1 %"), (None, "—")],
)
def test_progress_reads_as_a_percentage(fraction, text):
    assert format_pct(fraction) == text
