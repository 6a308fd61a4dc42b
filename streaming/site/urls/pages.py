"""URLs of the pages (docs/protocol.md, "Pages"); the JSON API and streams are in `api`."""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from streaming.site.views import home, pages, report

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("sessions/<uuid:session_id>/", pages.session_page, name="session-page"),
    path("sessions/<uuid:session_id>/replay/", pages.session_replay, name="session-replay"),
    path("sessions/<uuid:session_id>/report/", report.session_report, name="session-report"),
    path(
        "sessions/<uuid:session_id>/report.md",
        report.session_report_markdown,
        name="session-report-markdown",
    ),
    # Browsers ask for /favicon.ico wherever a page names no icon (JSON, downloads, any page
    # outside our templates): the site's icon, not a 404 in every log.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("streaming/favicon.svg"), permanent=True),
        name="favicon",
    ),
]
