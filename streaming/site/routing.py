"""WebSocket URL routes of the site (wrapped by project/asgi.py in the origin check and the
login session): the transports' consumer, with the runs' controls."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.urls import re_path

from streaming.runs.controls import RunControls
from streaming.transports.websocket import SessionConsumer

if TYPE_CHECKING:
    from channels.routing import URLRouter, _ExtendedURLPattern

# Any id segment reaches the consumer, which answers a non-UUID like an unknown session (4404).
# django-stubs' re_path() takes views only, not ASGI apps (typeddjango/django-stubs#3354), so
# the route is cast to what types-channels' URLRouter takes: a pattern whose callback is one.
websocket_urlpatterns: list[_ExtendedURLPattern | URLRouter] = [
    cast(
        "_ExtendedURLPattern",
        re_path(
            r"^ws/sessions/(?P<session_id>[^/]+)/$",
            SessionConsumer.as_asgi(controls=RunControls()),  # type: ignore[arg-type]  # see above
        ),
    ),
]
