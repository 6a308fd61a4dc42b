"""Staff review of sessions and their event logs.

Both admins are read-only records (an audit log: no add, change or delete, for superusers too)
and visible to every active staff user, as the pages are (docs/protocol.md: staff may read any
session). They stay fast on a million events: fixed-choice filters, index-backed orderings, no
unbounded COUNT(*) (`paging.CappedCountPaginator`), no per-row queries. Times read to the
millisecond in UTC, progress as a percentage. See docs/pages.md.
"""

from __future__ import annotations

from django.contrib import admin

from streaming.site.admin.events import EventAdmin
from streaming.site.admin.sessions import SessionAdmin

admin.site.site_header = "agentstream admin"
admin.site.site_title = "agentstream admin"
admin.site.index_title = "Sessions and their event logs"
# The app list beside every page took a quarter of a 1366 px screen from the changelists; the
# breadcrumbs and the index lead everywhere it did.
admin.site.enable_nav_sidebar = False

__all__ = ["EventAdmin", "SessionAdmin"]
