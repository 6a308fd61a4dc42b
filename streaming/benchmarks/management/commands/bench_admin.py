"""`manage.py bench_admin`: the admin's speed on a large event table, beside a naive ModelAdmin.

Fills the configured database with `--events` events (default a million, generated inside the
database) under a `bench-admin` superuser without a usable password, renders the event and
session changelists through the whole Django stack with agentstream's admin and with a default
`ModelAdmin` (full COUNT(*)s, `SELECT DISTINCT` filters, the model's default ordering), and
prints the timings, the query counts and the query plans of agentstream's queries. The bench
rows and user are deleted afterwards unless `--keep` is given; point DATABASE_URL at a scratch
database.
"""

from __future__ import annotations

import statistics
import sys
import time
import types
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import clear_url_caches, include, path
from django.utils import timezone

from streaming.log.models import Event, Session, SessionStatus

BENCH_USER = "bench-admin"
HOST = "127.0.0.1"


class NaiveEventAdmin(admin.ModelAdmin):
    """What `admin.site.register(Event)` with the obvious options gives."""

    list_display = ("__str__", "session", "agent", "phase", "ts")
    list_filter = ("agent", "phase", "t", "ts", "session")
    search_fields = ("msg",)


class NaiveSessionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "status", "created_at")
    list_filter = ("status", "workspace", "owner", "created_at")
    search_fields = ("query",)


def naive_urlconf() -> types.ModuleType:
    """A URLconf serving a second admin site, named `admin`, with the naive ModelAdmins."""
    site = admin.AdminSite(name="admin")
    site.register(Event, NaiveEventAdmin)
    site.register(Session, NaiveSessionAdmin)
    module = types.ModuleType("streaming_bench_admin_urls")
    # A URLconf module made at run time: ModuleType declares no `urlpatterns`.
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("admin/", site.urls),
        path("", include("streaming.site.urls")),
    ]
    sys.modules[module.__name__] = module
    return module


class Command(BaseCommand):
    help = "Time the admin's changelists on a large event table, beside a naive ModelAdmin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--sessions", type=int, default=200)
        parser.add_argument("--runs", type=int, default=3, help="requests per page (median)")
        parser.add_argument("--keep", action="store_true", help="keep the bench rows")
        parser.add_argument("--no-naive", dest="naive", action="store_false")

    def handle(self, *args: Any, **options: Any) -> None:
        vendor = connection.vendor
        user = self._bench_user()
        sessions = self._fill(user, options["events"], options["sessions"])
        try:
            self._report(user, sessions, options)
        finally:
            if not options["keep"]:
                self._clean(user)
                user.delete()
        self.stdout.write(
            f"database: {vendor}; bench rows and user {'kept' if options['keep'] else 'deleted'}"
        )

    # -- data -------------------------------------------------------------------------------

    def _bench_user(self) -> Any:
        """Return the bench's superuser; nobody can log in as it (the bench logs in by force)."""
        user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_unusable_password()
        user.save(update_fields=["is_staff", "is_superuser", "is_active", "password"])
        return user

    def _fill(self, user: Any, events: int, sessions: int) -> list[Session]:
        per_session = max(2, events // sessions)
        existing = list(Session.objects.filter(owner=user).order_by("created_at"))
        if len(existing) == sessions and all(s.last_seq == per_session for s in existing):
            self.stdout.write(f"reusing {sessions * per_session:,} bench events")
            return existing
        self._clean(user)
        self.stdout.write(f"generating {sessions * per_session:,} events in {sessions} sessions…")
        started = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            created = Session.objects.bulk_create(
                Session(
                    owner=user,
                    query=f"bench session {i}",
                    status=SessionStatus.COMPLETED,
                    last_seq=per_session,
                )
                for i in range(sessions)
            )
            for i, session in enumerate(created):
                # Spread over the last weeks, so date filters select a part.
                moment = now - timedelta(hours=3 * i)
                Session.objects.filter(pk=session.pk).update(
                    created_at=moment, started_at=moment, ended_at=moment
                )
            self._generate(user, per_session)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"  generated in {time.perf_counter() - started:.1f} s")
        return list(Session.objects.filter(owner=user).order_by("created_at"))

    def _generate(self, user: Any, per_session: int) -> None:
        """Insert the events inside the database (generate_series / a recursive CTE)."""
        agent = (
            "CASE WHEN n = 1 OR n = {last} THEN NULL WHEN n % 50 = 0 THEN 'supervisor' "
            "WHEN (n / 1000) % 4 = 0 THEN 'research' WHEN (n / 1000) % 4 = 1 THEN 'architect' "
            "WHEN (n / 1000) % 4 = 2 THEN 'codesmith' ELSE 'reviewer' END"
        )
        t = (
            "CASE WHEN n = 1 OR n = {last} THEN 'session_event' "
            "WHEN n % 50 = 0 THEN 'supervisor_event' ELSE 'agent_event' END"
        )
        phase = (
            "CASE WHEN n = 1 THEN 'started' WHEN n = {last} THEN 'completed' "
            "WHEN n % 50 = 0 THEN 'decision' WHEN n % 997 = 0 THEN 'error' "
            "WHEN n % 10 = 0 THEN 'think' ELSE 'progress' END"
        )
        msg = "'item ' || n || ' of module_' || (n % 300) || '.py'"
        pct = "CASE WHEN n % 10 BETWEEN 1 AND 9 THEN (n % 1000) / 1000.0 ELSE NULL END"
        columns = "session_id, seq, ts, t, agent, phase, msg, pct, data"
        # Column order: t, agent, phase, msg, pct; `%%` is a modulo under parameter binding.
        fields = ", ".join((t, agent, phase, msg, pct)).format(last=per_session)
        fields = fields.replace(" % ", " %% ")
        if connection.vendor == "postgresql":
            sql = (
                f"INSERT INTO streaming_event ({columns}) "  # noqa: S608 fixed text only
                f"SELECT s.id, n, s.created_at + n * interval '10 milliseconds', {fields}, "
                "'{}'::jsonb FROM streaming_session s CROSS JOIN generate_series(1, %s) AS g(n) "
                "WHERE s.owner_id = %s"
            )
        else:
            sql = (
                f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "  # noqa: S608
                f"INSERT INTO streaming_event ({columns}) "
                "SELECT s.id, n, strftime('%%Y-%%m-%%d %%H:%%M:%%f', s.created_at, "
                f"'+' || (n * 0.01) || ' seconds'), {fields}, '{{}}' "
                "FROM streaming_session s CROSS JOIN g WHERE s.owner_id = %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [per_session, user.pk])

    def _clean(self, user: Any) -> None:
        """Delete the bench's sessions and events (by SQL: a million rows)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM streaming_event WHERE session_id IN "
                "(SELECT id FROM streaming_session WHERE owner_id = %s)",
                [user.pk],
            )
            cursor.execute("DELETE FROM streaming_session WHERE owner_id = %s", [user.pk])

    # -- measuring --------------------------------------------------------------------------

    def _pages(self, session: Session, deep: int) -> list[tuple[str, str, str]]:
        """(label, agentstream's URL, the naive admin's URL) for each measured page."""
        events, sessions = "/admin/streaming/event/", "/admin/streaming/session/"
        day = timezone.localdate().isoformat()
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        since = urlencode({"ts__gte": str(midnight)})  # what Django's "Today" link holds
        return [
            ("events, page 1", events, events),
            (f"events, page {deep}", f"{events}?p={deep}", f"{events}?p={deep}"),
            ("events, phase=error", f"{events}?phase=error", f"{events}?phase__exact=error"),
            ("events, agent=research", f"{events}?agent=research", f"{events}?agent=research"),
            ("events, today", f"{events}?ts__gte={day}&ts__lt={day}", f"{events}?{since}"),
            ("events, search 'item 7 of'", f"{events}?q=item+7+of", f"{events}?q=item+7+of"),
            (
                "events of one session",
                f"{events}?session={session.pk}",
                f"{events}?session__id__exact={session.pk}",
            ),
            ("sessions, page 1", sessions, sessions),
        ]

    def _measure(self, client: Client, url: str, runs: int) -> dict[str, Any]:
        walls, queries = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, HTTP_HOST=HOST)
                walls.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            queries = captured.captured_queries
        slowest = max(queries, key=lambda q: float(q["time"]), default={"time": "0", "sql": ""})
        return {
            "ms": statistics.median(walls),
            "queries": len(queries),
            "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
            "slowest_ms": float(slowest["time"]) * 1000,
            "slowest": slowest["sql"],
            "sqls": [q["sql"] for q in queries],
        }

    def _report(self, user: Any, sessions: list[Session], options: dict[str, Any]) -> None:
        client = Client()
        client.force_login(user)
        try:
            self._compare(client, sessions, options)
        finally:
            client.logout()  # no login session left in the database

    def _compare(self, client: Client, sessions: list[Session], options: dict[str, Any]) -> None:
        bench_events = sum(s.last_seq for s in sessions)
        pages = self._pages(sessions[len(sessions) // 2], min(50, max(1, bench_events // 100)))
        self.stdout.write(
            f"\nadmin changelists, {connection.vendor}, {bench_events:,} bench events "
            f"({Event.objects.count():,} in the table); median of {options['runs']} requests, "
            "whole Django stack\n"
        )
        header = f"{'page':28} {'agentstream':>24}   {'naive ModelAdmin':>24}"
        self.stdout.write(header)
        self.stdout.write(
            f"{'':28} {'ms  queries  slowest SQL':>24}   {'ms  queries  slowest SQL':>24}"
        )
        ours_by_page: dict[str, dict[str, Any]] = {}
        for label, ours_url, naive_url in pages:
            ours = self._measure(client, ours_url, options["runs"])
            ours_by_page[label] = ours
            line = f"{label:28} {self._cell(ours):>24}"
            if options["naive"]:
                with override_settings(ROOT_URLCONF=naive_urlconf()):
                    clear_url_caches()
                    naive = self._measure(client, naive_url, options["runs"])
                clear_url_caches()
                line += f"   {self._cell(naive):>24}"
            self.stdout.write(line)
        self._plans(ours_by_page)

    @staticmethod
    def _cell(result: dict[str, Any]) -> str:
        return f"{result['ms']:8.1f} {result['queries']:7d} {result['slowest_ms']:8.1f}"

    def _plans(self, ours_by_page: dict[str, dict[str, Any]]) -> None:
        """Print the plans of agentstream's event-list and count queries."""
        self.stdout.write("\nquery plans (agentstream's admin)")
        for label in ("events, page 1", "events, phase=error", "events of one session"):
            for sql in ours_by_page[label]["sqls"]:
                if "streaming_event" not in sql or "django_session" in sql:
                    continue
                self.stdout.write(f"\n-- {label}: {sql[:160]}{'…' if len(sql) > 160 else ''}")
                for row in self._explain(sql):
                    self.stdout.write(f"   {row}")

    @staticmethod
    def _explain(sql: str) -> list[str]:
        prefix = (
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
            if connection.vendor == "postgresql"
            else "EXPLAIN QUERY PLAN "
        )
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
