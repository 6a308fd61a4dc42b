"""`EventAdmin`: every event, newest first, or one session's in seq order; times to the
millisecond in UTC, progress as a percentage, links to the session and to the replay at it."""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from streaming.log.models import Event
from streaming.site.admin.base import ReadOnlyAdmin
from streaming.site.admin.filters import (
    AgentFilter,
    DateRangeFilter,
    SessionFilter,
    TitledChoicesFilter,
)
from streaming.site.times import format_pct, format_utc


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "time_utc", "session_link", "agent", "phase", "short_msg", "progress")
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
    fields = (
        "session_link",
        "seq",
        "time",
        "event_type",
        "agent",
        "phase",
        "message",
        "progress",
        "pretty_data",
        "pages",
    )
    readonly_fields = fields

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # One session: its events in seq order, on its (session, seq) index; otherwise the
        # newest first on the event_ts index (and its per-filter twins event_agent_ts, …).
        return ("seq",) if request.GET.get("session") else ("-ts",)

    @admin.display(description="time (UTC)")
    def time_utc(self, obj: Event) -> str:
        return format_utc(obj.ts, zone=False)

    @admin.display(description="time (UTC)")
    def time(self, obj: Event) -> str:
        return format_utc(obj.ts)

    @admin.display(description="type")
    def event_type(self, obj: Event) -> str:
        return obj.t

    @admin.display(description="message")
    def message(self, obj: Event) -> str:
        return obj.msg

    @admin.display(description="progress")
    def progress(self, obj: Event) -> str:
        return format_pct(obj.pct)

    @admin.display(description="data")
    def pretty_data(self, obj: Event) -> SafeString:
        text = json.dumps(obj.data, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre class="as-json">{}</pre>', text)

    @admin.display(description="session")
    def session_link(self, obj: Event) -> SafeString:
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            reverse("admin:streaming_session_change", args=[obj.session_id]),
            obj.session.query,
            Truncator(obj.session.query).chars(40),
        )

    @admin.display(description="on the pages")
    def pages(self, obj: Event) -> SafeString:
        return format_html(
            '<span class="as-links"><a href="{}#seq={}">Replay at #{}</a> '
            '<a href="{}">Live page</a> '
            '<a href="{}?session={}">All events of the session</a></span>',
            reverse("session-replay", args=[obj.session_id]),
            obj.seq,
            obj.seq,
            reverse("session-page", args=[obj.session_id]),
            reverse("admin:streaming_event_changelist"),
            obj.session_id,
        )

    @admin.display(description="message")
    def short_msg(self, obj: Event) -> str:
        return Truncator(obj.msg).chars(120)
