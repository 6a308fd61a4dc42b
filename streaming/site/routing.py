"""WebSocket URL routes of the site (wrapped by project/asgi.py in the origin check and the
login session): the transports' consumer, with the runs' controls."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from streaming.runs.controls import RunControls
from streaming.transports.websocket import SessionConsumer

# Any id segment reaches the consumer, which answers a non-UUID like an unknown session (4404).
websocket_urlpatterns: list[URLPattern] = [
    re_path(
        r"^ws/sessions/(?P<session_id>[^/]+)/$",
        SessionConsumer.as_asgi(controls=RunControls()),
    ),
]
