"""What both read-only admins share: view-only permissions for staff, the capped paginator, and
the small renderings auditors read (status, times, links between the admin and the pages)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import ShowFacets
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from streaming.log.models import Session
from streaming.site.admin.paging import CappedCountPaginator


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only for active staff; nobody adds, changes or deletes through the admin."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    sortable_by = ()  # only the index-backed orderings of each admin

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def status_badge(status: str, label: str | None = None) -> SafeString:
    """Return a session status (or an event phase) as a badge the admin's stylesheet colours."""
    badge = '<span class="as-status" data-status="{}">{}</span>'
    return format_html(badge, status, label or status)


def session_links(session: Session) -> SafeString:
    """Return links to a session's live page, replay, export and event list in the admin."""
    events = reverse("admin:streaming_event_changelist") + f"?session={session.pk}"
    return format_html(
        '<span class="as-links"><a href="{}">Live</a> <a href="{}">Replay</a> '
        '<a href="{}">JSONL</a> <a href="{}">Events</a></span>',
        reverse("session-page", args=[session.pk]),
        reverse("session-replay", args=[session.pk]),
        f"/api/sessions/{session.pk}/export.jsonl",
        events,
    )
