"""URLs of the pages (docs/protocol.md, "Pages"); the JSON API and streams are in `api`."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from streaming.site.views import pages

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.home, name="home"),
    path("sessions/<uuid:session_id>/", pages.session_page, name="session-page"),
    path("sessions/<uuid:session_id>/replay/", pages.session_replay, name="session-replay"),
    path("sessions/<uuid:session_id>/report/", pages.session_report, name="session-report"),
]
