"""The cursor and limit rules of docs/protocol.md."""

from __future__ import annotations

import pytest

from streaming.log.exceptions import BadCursor, BadLimit
from streaming.log.follow import parse_cursor, parse_limit


def test_cursor_rules():
    assert parse_cursor(None, last_seq=5) == 0
    assert parse_cursor("3", last_seq=5) == 3
    assert parse_cursor(" 5 ", last_seq=5) == 5
    assert parse_cursor(0, last_seq=0) == 0
    for bad in ["", "x", "-1", "6", "1e3", "0x1", "३", True, -1, 6]:
        with pytest.raises(BadCursor):
            parse_cursor(bad, last_seq=5)
    assert parse_limit(None, default=50, cap=500) == 50
    assert parse_limit("501", default=50, cap=500) == 500
    for bad in ["0", "-3", "x", "", "2.5"]:
        with pytest.raises(BadLimit):
            parse_limit(bad, default=50, cap=500)
