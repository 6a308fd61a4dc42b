"""Reading the client's position and page size from strings: docs/protocol.md's cursor rules.

A cursor (`?after=`, `Last-Event-ID`, a `resume` frame's `after`) is an integer from 0 to the
session's `last_seq`; anything else is `BadCursor`. A `limit` is a positive integer, capped.
"""

from __future__ import annotations

import re

from streaming.log.exceptions import BadCursor, BadLimit

_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_cursor(raw: str | int | None, *, last_seq: int, default: int = 0) -> int:
    """Return the cursor `raw` (None: `default`), or raise `BadCursor` if it is not 0..last_seq."""
    if raw is None:
        return default
    if isinstance(raw, bool):
        raise BadCursor("the cursor must be an integer")
    if isinstance(raw, int):
        value = raw
    else:
        text = raw.strip()
        if not _DIGITS.fullmatch(text):
            raise BadCursor(f"the cursor must be an integer from 0 to {last_seq}")
        value = int(text)
    if not 0 <= value <= last_seq:
        raise BadCursor(f"the cursor must be an integer from 0 to {last_seq}, not {value}")
    return value


def parse_limit(raw: str | None, *, default: int, cap: int) -> int:
    """Return the positive integer `raw` capped at `cap` (None: `default`), or raise `BadLimit`."""
    if raw is None:
        return default
    text = raw.strip()
    if not _DIGITS.fullmatch(text) or int(text) < 1:
        raise BadLimit("limit must be a positive integer")
    return min(int(text), cap)
