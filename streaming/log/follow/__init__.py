"""The read path for clients: replay after a cursor in pages, then follow live, once each.

Both transports (the WebSocket consumer and the SSE stream) follow a session through
`SessionTail`; the JSON API and the exports read through `iter_pages` / `read_page` on the same
reader threads. See docs/transports.md.
"""

from streaming.log.follow.cursors import parse_cursor, parse_limit
from streaming.log.follow.doorbell import Doorbell, release
from streaming.log.follow.export import JSONL_CONTENT_TYPE, jsonl_chunks
from streaming.log.follow.pages import EventsMissing, iter_pages
from streaming.log.follow.reads import SessionState, WireEvent, aread_state, read_page, run_read
from streaming.log.follow.tail import GONE, KEEPALIVE, End, Gone, Keepalive, Output, SessionTail

__all__ = [
    "GONE",
    "JSONL_CONTENT_TYPE",
    "KEEPALIVE",
    "Doorbell",
    "End",
    "EventsMissing",
    "Gone",
    "Keepalive",
    "Output",
    "SessionState",
    "SessionTail",
    "WireEvent",
    "aread_state",
    "iter_pages",
    "jsonl_chunks",
    "parse_cursor",
    "parse_limit",
    "read_page",
    "release",
    "run_read",
]
