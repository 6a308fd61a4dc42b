from __future__ import annotations

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The pages, the JSON API, the admin, and the static files and templates they use."""

    name = "streaming.site"
    label = "agentstream_site"
    verbose_name = "Agent sessions (site)"
