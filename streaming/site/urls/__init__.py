"""URLs of the streaming app: the JSON API and streams (`api`) and the pages (`pages`)."""

from __future__ import annotations

from streaming.site.urls import api, pages

urlpatterns = [*api.urlpatterns, *pages.urlpatterns]
