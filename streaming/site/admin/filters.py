"""Admin list filters whose choices are fixed: none runs `SELECT DISTINCT` over the event table.

Status, phase and type filter on `choices` fields (Django's own filter lists the choices); the
agent filter lists the lanes the registered workflows declare (any other name still works from
the URL); dates filter by
a range, from preset links or two date inputs. Every filter has an index (streaming/log/models.py).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from streaming.log.models import Session
from streaming.runs.workflows import all_lanes

NO_AGENT = "-"
SESSION_LABEL_CHARS = 60


#: Filter titles for fields whose names are terse.
TITLES = {"t": "type", "ts": "time", "created_at": "created"}


class TitledChoicesFilter(admin.ChoicesFieldListFilter):
    """Django's filter over a field's `choices` (no query), with a readable title."""

    def __init__(self, field: Any, *args: Any, **kw: Any) -> None:
        super().__init__(field, *args, **kw)
        self.title = TITLES.get(field.name, self.title)


class AgentFilter(admin.SimpleListFilter):
    """Filter events by agent, from a fixed list (`-` selects session events)."""

    title = "agent"
    parameter_name = "agent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The workflows' declared lanes: the table itself is never asked (no DISTINCT).
        lanes = [(lane.name, lane.to_dict()["label"]) for lane in all_lanes()]
        return [*lanes, (NO_AGENT, "(session events)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if value == NO_AGENT:
            return queryset.filter(agent__isnull=True)
        return queryset.filter(agent=value)


class SessionFilter(admin.SimpleListFilter):
    """Filter events by session (`?session=<id>`, from a session's admin page); no list of all.

    The chosen session shows by its query (one lookup by primary key), not by its id.
    """

    title = "session"
    parameter_name = "session"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        if not value:
            return []
        try:
            query = Session.objects.filter(pk=uuid.UUID(value)).values_list("query", flat=True)
            text = query.first()
        except ValueError:
            text = None
        label = Truncator(text).chars(SESSION_LABEL_CHARS) if text else f"{value[:8]}…"
        return [(value, label)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(session_id=uuid.UUID(value))
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc


def parse_bound(raw: str, *, end: bool) -> datetime.datetime:
    """Read a range bound: a date (an `end` date is inclusive) or an ISO datetime."""
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        moment = parse_datetime(raw.replace(" ", "T", 1)) if raw else None
        if moment is None:
            raise IncorrectLookupParameters(f"not a date or time: {raw!r}") from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    if end:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DateRangeFilter(admin.DateFieldListFilter):
    """Django's date links plus a from/to form; bare dates are whole days, the end inclusive."""

    template = "admin/streaming/date_range_filter.html"

    def __init__(self, field: Any, *args: Any, **kw: Any) -> None:
        super().__init__(field, *args, **kw)
        self.title = TITLES.get(field.name, self.title)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        bounds = {}
        for key, value in self.used_parameters.items():
            raw = value[-1] if isinstance(value, list) else value
            if raw in ("", None):
                continue
            if key not in (self.lookup_kwarg_since, self.lookup_kwarg_until):
                raise IncorrectLookupParameters(f"unexpected parameter {key}")
            bounds[key] = parse_bound(str(raw), end=key == self.lookup_kwarg_until)
        return queryset.filter(**bounds)

    def choices(self, changelist: Any) -> Any:
        self.hidden_params = [
            (key, value)
            for key, value in changelist.params.items()
            if not key.startswith(self.field_generic)
        ]
        self.since_value = self._form_value(self.lookup_kwarg_since)
        self.until_value = self._form_value(self.lookup_kwarg_until)
        return super().choices(changelist)

    def _form_value(self, key: str) -> str:
        raw = self.date_params.get(key, "")
        try:
            return datetime.date.fromisoformat(raw).isoformat()
        except ValueError:
            return ""
