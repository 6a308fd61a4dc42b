"""WebSocket URL routes of the streaming app (wrapped by project/asgi.py in the origin check
and the login session)."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from streaming.consumers.websocket import SessionConsumer

# Any id segment reaches the consumer, which answers a non-UUID like an unknown session (4404).
websocket_urlpatterns: list[URLPattern] = [
    re_path(r"^ws/sessions/(?P<session_id>[^/]+)/$", SessionConsumer.as_asgi()),
]
