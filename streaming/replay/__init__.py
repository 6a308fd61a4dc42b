"""The read path for clients: replay after a cursor in pages, then follow live, once each.

Both transports (the WebSocket consumer and the SSE view) stream through `SessionTail`; the
JSON API and the export read through `iter_pages` / `read_page` on the same reader threads.
See docs/transports.md.
"""

from streaming.replay.conf import transport_setting
from streaming.replay.cursors import parse_cursor, parse_limit
from streaming.replay.membership import Membership, release
from streaming.replay.reads import (
    SessionState,
    WireEvent,
    aread_state,
    iter_pages,
    read_page,
    run_read,
)
from streaming.replay.tail import KEEPALIVE, End, Keepalive, Output, SessionTail

__all__ = [
    "KEEPALIVE",
    "End",
    "Keepalive",
    "Membership",
    "Output",
    "SessionState",
    "SessionTail",
    "WireEvent",
    "aread_state",
    "iter_pages",
    "parse_cursor",
    "parse_limit",
    "read_page",
    "release",
    "run_read",
    "transport_setting",
]
