"""URLs of the JSON API and the streams (docs/protocol.md, "HTTP"), as the protocol writes them.

`/events`, `/healthz` and `export.jsonl` have no trailing slash and are served exactly there.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from streaming.site.views import api, export, health, share, stream

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/sessions/", api.sessions_collection, name="api-sessions"),
    path("api/workflows/", api.workflows_collection, name="api-workflows"),
    path("api/sessions/<str:session_id>/", api.session_detail, name="api-session"),
    path("api/sessions/<str:session_id>/events/", api.session_events, name="api-session-events"),
    path("api/sessions/<str:session_id>/stream/", stream.session_stream, name="api-session-stream"),
    path("api/sessions/<str:session_id>/cancel/", api.session_cancel, name="api-session-cancel"),
    path(
        "api/sessions/<str:session_id>/share-token/",
        share.session_share_token,
        name="api-session-share-token",
    ),
    path(
        "api/sessions/<str:session_id>/export.jsonl",
        export.session_export,
        name="api-session-export",
    ),
    path("events", stream.events_alias, name="events"),
    path("healthz", health.healthz, name="healthz"),
]
