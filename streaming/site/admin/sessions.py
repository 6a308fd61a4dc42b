"""`SessionAdmin`: the sessions, for auditors: status in colour, times to the millisecond in
UTC, links to the session's pages, export, events and read-only share link, and its latest events.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from streaming.log.models import Event, Session
from streaming.runs.models import Run
from streaming.site.admin.base import ReadOnlyAdmin, session_links, status_badge
from streaming.site.admin.export import export_events_jsonl
from streaming.site.admin.filters import DateRangeFilter
from streaming.site.durations import format_duration
from streaming.site.times import NONE, format_utc

LATEST_EVENTS = 20


def run_field(session: Session, name: str) -> str:
    """Return a field of the session's run for display (NONE when empty or there is no run)."""
    try:
        value = getattr(session.run, name)
    except Run.DoesNotExist:
        return NONE
    if value in (None, ""):
        return NONE
    return format_utc(value) if name.endswith("_at") else str(value)


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = (
        "short_query",
        "owner",
        "status_badge",
        "workspace",
        "created_utc",
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
        "status_badge",
        "created",
        "started",
        "ended",
        "duration",
        "event_count",
        "links",
        "share_link",
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

    @admin.display(description="status")
    def status_badge(self, obj: Session) -> SafeString:
        if obj.pruned_at is not None:  # a tombstone: its events were removed (retention)
            return status_badge("pruned", f"{obj.get_status_display()}, pruned")
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="created (UTC)")
    def created_utc(self, obj: Session) -> str:
        return format_utc(obj.created_at, zone=False)

    @admin.display(description="created (UTC)")
    def created(self, obj: Session) -> str:
        return format_utc(obj.created_at)

    @admin.display(description="started (UTC)")
    def started(self, obj: Session) -> str:
        return format_utc(obj.started_at)

    @admin.display(description="ended (UTC)")
    def ended(self, obj: Session) -> str:
        return format_utc(obj.ended_at)

    @admin.display(description="events")
    def event_count(self, obj: Session) -> int:
        return obj.last_seq  # seqs are gapless from 1, so the last one is the count

    @admin.display(description="duration")
    def duration(self, obj: Session) -> str:
        return format_duration(obj)

    @admin.display(description="links")
    def links(self, obj: Session) -> SafeString:
        return session_links(obj)

    @admin.display(description="share link (read-only)")
    def share_link(self, obj: Session) -> SafeString:
        query = urlencode({"token": obj.share_token})
        live = reverse("session-page", args=[obj.pk]) + f"?{query}"
        return format_html(
            '<span class="as-share"><a href="{}" data-share-link>{}</a> '
            '<button type="button" class="button" data-copy-link="{}">Copy link</button> '
            '<span class="as-copied" role="status" aria-live="polite"></span></span>'
            '<span class="help">Anyone with this link may watch this session, without logging '
            "in. Its owner can replace it from the session's page (Share).</span>",
            live,
            live,
            live,
        )

    @admin.display(description="workflow")
    def workflow(self, obj: Session) -> str:
        return run_field(obj, "workflow")

    @admin.display(description="cancel requested (UTC)")
    def cancel_requested_at(self, obj: Session) -> str:
        return run_field(obj, "cancel_requested_at")

    @admin.display(description="lease owner")
    def lease_owner(self, obj: Session) -> str:
        return run_field(obj, "lease_owner")

    @admin.display(description="lease expires (UTC)")
    def lease_expires_at(self, obj: Session) -> str:
        return run_field(obj, "lease_expires_at")

    @admin.display(description=f"latest {LATEST_EVENTS} events")
    def latest_events(self, obj: Session) -> SafeString | str:
        """The session's newest events, in seq order, as a read-only table (one indexed query,
        no inline); each seq links to the replay at that event."""
        rows = list(Event.objects.for_session(obj.pk).order_by("-seq")[:LATEST_EVENTS])[::-1]
        if not rows:
            return "No events."
        replay = reverse("session-replay", args=[obj.pk])
        body = format_html_join(
            "",
            '<tr class="phase-{}"><td><a href="{}#seq={}">{}</a></td><td>{}</td><td>{}</td>'
            "<td>{}</td><td>{}</td></tr>",
            (
                (e.phase, replay, e.seq, e.seq, format_utc(e.ts), e.agent or NONE, e.phase, e.msg)
                for e in rows
            ),
        )
        return format_html(
            '<div class="as-scroll"><table class="latest-events"><thead><tr><th>seq</th>'
            "<th>time (UTC)</th><th>agent</th><th>phase</th><th>message</th></tr></thead>"
            '<tbody>{}</tbody></table></div><p><a href="{}?session={}">All {} events</a></p>',
            body,
            reverse("admin:streaming_event_changelist"),
            obj.pk,
            obj.last_seq,
        )
