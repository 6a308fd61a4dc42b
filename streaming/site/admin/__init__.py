"""Staff review of sessions and their event logs.

Both admins are read-only records (an audit log: no add, change or delete, for superusers too)
and visible to every active staff user, as the pages are (docs/protocol.md: staff may read any
session). They stay fast on a million events: fixed-choice filters, index-backed orderings, no
unbounded COUNT(*) (`paging.CappedCountPaginator`), no per-row queries. See docs/pages.md.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import ShowFacets
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from streaming.log.models import Event, Session
from streaming.runs.models import Run
from streaming.site.admin.export import export_events_jsonl
from streaming.site.admin.filters import (
    AgentFilter,
    DateRangeFilter,
    SessionFilter,
    TitledChoicesFilter,
)
from streaming.site.admin.paging import CappedCountPaginator
from streaming.site.durations import format_duration

LATEST_EVENTS = 20


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only for active staff; nobody adds, changes or deletes through the admin."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    sortable_by = ()  # only the index-backed orderings below

    class Media:
        css = {"all": ("streaming/admin.css",)}

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


def session_links(session: Session) -> str:
    """Return links to a session's live page, replay, export and event list in the admin."""
    events = reverse("admin:streaming_event_changelist") + f"?session={session.pk}"
    return format_html(
        '<a href="{}">Page</a> · <a href="{}">Replay</a> · <a href="{}">Export</a> · '
        '<a href="{}">Events</a>',
        reverse("session-page", args=[session.pk]),
        reverse("session-replay", args=[session.pk]),
        f"/api/sessions/{session.pk}/export.jsonl",
        events,
    )


def run_field(session: Session, name: str) -> str:
    """Return a field of the session's run for display ("—" when empty or there is no run)."""
    try:
        value = getattr(session.run, name)
    except Run.DoesNotExist:
        return "—"
    return "—" if value in (None, "") else str(value)


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = (
        "short_query",
        "owner",
        "status",
        "workspace",
        "created_at",
        "duration",
        "event_count",
        "links",
    )
    list_display_links = ("short_query",)
    list_filter = ("status", ("created_at", DateRangeFilter))
    search_fields = ("query",)
    search_help_text = "Search the sessions' queries."
    list_select_related = ("owner", "run")
    ordering = ("-created_at",)
    actions = (export_events_jsonl,)
    fields = (
        "id",
        "owner",
        "query",
        "workspace",
        "status",
        "created_at",
        "started_at",
        "ended_at",
        "duration",
        "event_count",
        "links",
        "workflow",
        "cancel_requested_at",
        "lease_owner",
        "lease_expires_at",
        "latest_events",
    )
    readonly_fields = fields

    @admin.display(description="query")
    def short_query(self, obj: Session) -> str:
        return Truncator(obj.query).chars(80)

    @admin.display(description="events")
    def event_count(self, obj: Session) -> int:
        return obj.last_seq  # seqs are gapless from 1, so the last one is the count

    @admin.display(description="duration")
    def duration(self, obj: Session) -> str:
        return format_duration(obj)

    @admin.display(description="links")
    def links(self, obj: Session) -> str:
        return session_links(obj)

    @admin.display(description="workflow")
    def workflow(self, obj: Session) -> str:
        return run_field(obj, "workflow")

    @admin.display(description="cancel requested at")
    def cancel_requested_at(self, obj: Session) -> str:
        return run_field(obj, "cancel_requested_at")

    @admin.display(description="lease owner")
    def lease_owner(self, obj: Session) -> str:
        return run_field(obj, "lease_owner")

    @admin.display(description="lease expires at")
    def lease_expires_at(self, obj: Session) -> str:
        return run_field(obj, "lease_expires_at")

    @admin.display(description=f"latest {LATEST_EVENTS} events")
    def latest_events(self, obj: Session) -> str:
        """The session's newest events as a read-only table (one indexed query, no inline)."""
        rows = list(Event.objects.for_session(obj.pk).order_by("-seq")[:LATEST_EVENTS])[::-1]
        if not rows:
            return "No events."
        body = format_html_join(
            "",
            '<tr class="phase-{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (e.phase, e.seq, e.ts.strftime("%H:%M:%S.%f")[:-3], e.agent or "—", e.phase, e.msg)
                for e in rows
            ),
        )
        return format_html(
            '<table class="latest-events"><thead><tr><th>seq</th><th>time</th><th>agent</th>'
            "<th>phase</th><th>message</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}?session={}">All {} events</a></p>',
            body,
            reverse("admin:streaming_event_changelist"),
            obj.pk,
            obj.last_seq,
        )


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "time", "session_link", "agent", "phase", "short_msg", "pct")
    list_display_links = ("seq",)
    list_filter = (
        SessionFilter,
        AgentFilter,
        ("phase", TitledChoicesFilter),
        ("t", TitledChoicesFilter),
        ("ts", DateRangeFilter),
    )
    search_fields = ("msg",)
    search_help_text = "Search the events' messages."
    list_select_related = ("session",)
    actions = None
    fields = ("session_link", "seq", "ts", "t", "agent", "phase", "msg", "pct", "data")
    readonly_fields = fields

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # One session: its (session, seq) index; otherwise the event_ts index (and its
        # per-filter twins event_agent_ts, event_phase_ts, event_t_ts).
        return ("-seq",) if request.GET.get("session") else ("-ts",)

    @admin.display(description="time (UTC)")
    def time(self, obj: Event) -> str:
        return obj.ts.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    @admin.display(description="session")
    def session_link(self, obj: Event) -> str:
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            reverse("admin:streaming_session_change", args=[obj.session_id]),
            obj.session.query,
            Truncator(obj.session.query).chars(28),
        )

    @admin.display(description="message")
    def short_msg(self, obj: Event) -> str:
        return Truncator(obj.msg).chars(120)
