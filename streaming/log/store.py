"""Writes to the event log: seq allocation and insert in one transaction.

`record_batch` is what the bus's writer thread calls; `record_events` is the same for one
session, for code (and the naive benchmark baseline) that writes in line. Sequence numbers come
from one ``UPDATE … SET last_seq = last_seq + n … RETURNING last_seq`` per session, in the same
transaction as the insert, so two processes emitting into one session still get a gapless seq.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeAlias

from django.db import connection, models, transaction

from streaming.log.events import Event as EventValue
from streaming.log.exceptions import SessionClosed
from streaming.log.models import Event, Session

if TYPE_CHECKING:
    # A parameter of a raw SQL statement: a value as Django prepares it for the database.
    SQLParam: TypeAlias = bool | int | float | str | bytes | datetime | uuid.UUID | None

logger = logging.getLogger(__name__)


@dataclass
class BatchResult:
    """What `record_batch` stored and what it refused, per session, in emit order."""

    stored: dict[uuid.UUID, list[EventValue]] = field(default_factory=dict)
    refused: dict[uuid.UUID, list[EventValue]] = field(default_factory=dict)
    last_seq: dict[uuid.UUID, int] = field(default_factory=dict)


def _split_at_terminal(events: Sequence[EventValue]) -> tuple[list[EventValue], list[EventValue]]:
    """Return (events up to and including the first terminal one, the events after it)."""
    for index, event in enumerate(events):
        if event.is_terminal:
            return list(events[: index + 1]), list(events[index + 1 :])
    return list(events), []


def _allocate(session_id: uuid.UUID, count: int, terminal: EventValue | None) -> int | None:
    """Reserve `count` seqs in an open session and return its new last_seq (None: closed)."""
    table = connection.ops.quote_name(Session._meta.db_table)
    pk = Session._meta.pk.get_db_prep_value(session_id, connection)
    if terminal is None:
        sql = (
            f"UPDATE {table} SET last_seq = last_seq + %s "  # noqa: S608 fixed names only
            "WHERE id = %s AND ended_at IS NULL RETURNING last_seq"
        )
        params: list[SQLParam] = [count, pk]
    else:
        ended = Session._meta.get_field("ended_at").get_db_prep_value(datetime.now(UTC), connection)
        sql = (
            f"UPDATE {table} SET last_seq = last_seq + %s, status = %s, ended_at = %s "  # noqa: S608
            "WHERE id = %s AND ended_at IS NULL RETURNING last_seq"
        )
        params = [count, terminal.phase.value, ended, pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


_COLUMNS = ("session", "seq", "ts", "t", "agent", "phase", "msg", "pct", "data")
_ROWS_PER_INSERT = 500


def _insert(events: Sequence[EventValue]) -> None:
    """INSERT stored events, many rows per statement.

    Plain SQL instead of `bulk_create`: building a model instance per event cost more than the
    insert itself (docs/core.md, "The bus").
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(name)) for name in _COLUMNS)
    table = quote(Event._meta.db_table)
    if connection.vendor == "postgresql":
        _copy(table, columns, events)
        return
    # The JSON text validated at emit is stored as it is: no second encoding per event.
    row_sql = "(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    adapt_ts = connection.ops.adapt_datetimefield_value
    prepared_pk: dict[uuid.UUID | None, SQLParam] = {}
    for start in range(0, len(events), _ROWS_PER_INSERT):
        chunk = events[start : start + _ROWS_PER_INSERT]
        params: list[SQLParam] = []
        for e in chunk:
            pk = prepared_pk.get(e.sid)
            if pk is None:
                pk = prepared_pk[e.sid] = Session._meta.pk.get_db_prep_value(e.sid, connection)
            params += (
                pk,
                e.seq,
                adapt_ts(e.ts),
                e.t.value,
                e.agent,
                e.phase.value,
                e.msg,
                e.pct,
                e.data_json,
            )
        values = ", ".join([row_sql] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", params)  # noqa: S608


def _column(name: str) -> str:
    """Return the database column of the stored event's field `name`."""
    field = Event._meta.get_field(name)
    assert isinstance(field, models.Field)  # _COLUMNS names concrete fields, never relations
    return field.column


def _copy(table: str, columns: str, events: Sequence[EventValue]) -> None:
    """PostgreSQL: COPY the rows in, about ten times faster than a multi-row INSERT."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for e in events:
            copy.write_row(
                (e.sid, e.seq, e.ts, e.t.value, e.agent, e.phase.value, e.msg, e.pct, e.data_json)
            )


def _lock_in_order(session_ids: list[uuid.UUID]) -> None:
    """Lock the sessions' rows in id order (PostgreSQL): two writers never deadlock."""
    if connection.vendor != "postgresql" or len(session_ids) < 2:
        return  # SQLite has one writer at a time (IMMEDIATE transactions)
    table = connection.ops.quote_name(Session._meta.db_table)
    placeholders = ", ".join(["%s"] * len(session_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id IN ({placeholders}) ORDER BY id FOR UPDATE",  # noqa: S608
            session_ids,
        )


def _allocate_many(counts: Mapping[uuid.UUID, int]) -> dict[uuid.UUID, int]:
    """Reserve seqs in many open sessions with one statement; return their new last_seqs."""
    if not counts:
        return {}
    table = connection.ops.quote_name(Session._meta.db_table)
    pk = Session._meta.pk
    by_db_value = {pk.get_db_prep_value(sid, connection): sid for sid in counts}
    rows = ", ".join(["(%s, %s)"] * len(counts))
    params: list[SQLParam] = []
    for db_value, sid in by_db_value.items():
        params += (db_value, counts[sid])
    sql = (
        f"WITH wanted(id, n) AS (VALUES {rows}) "  # noqa: S608 fixed names only
        f"UPDATE {table} SET last_seq = last_seq + wanted.n FROM wanted "
        f"WHERE {table}.id = wanted.id AND {table}.ended_at IS NULL "
        f"RETURNING {table}.id, {table}.last_seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    return {by_db_value[db_id]: int(last_seq) for db_id, last_seq in returned}


def record_batch(batch: Mapping[uuid.UUID, Sequence[EventValue]]) -> BatchResult:
    """Store the events of several sessions in one transaction and one INSERT.

    Seqs for all the sessions come from one UPDATE (a terminal event's session gets its own, which
    also closes it). Events after a terminal one, and events for a session that is already closed
    (or does not exist), are refused, never stored.
    """
    result = BatchResult()
    accepted: dict[uuid.UUID, list[EventValue]] = {}
    for session_id in sorted(batch):
        events, late = _split_at_terminal(batch[session_id])
        if late:
            result.refused[session_id] = late
        if events:
            accepted[session_id] = events
    rows: list[EventValue] = []
    with transaction.atomic():
        _lock_in_order(list(accepted))
        last_seqs = _allocate_many(
            {sid: len(events) for sid, events in accepted.items() if not events[-1].is_terminal}
        )
        for session_id, events in accepted.items():
            if events[-1].is_terminal:
                closed_at = _allocate(session_id, len(events), events[-1])
                if closed_at is not None:
                    last_seqs[session_id] = closed_at
        for session_id, events in accepted.items():
            last_seq = last_seqs.get(session_id)
            if last_seq is None:
                result.refused.setdefault(session_id, [])[:0] = events
                continue
            first = last_seq - len(events) + 1
            stored = [e.stored(sid=session_id, seq=first + i) for i, e in enumerate(events)]
            result.stored[session_id] = stored
            result.last_seq[session_id] = last_seq
            rows.extend(stored)
        if rows:
            _insert(rows)
    return result


def record_events(*, session_id: uuid.UUID, events: Sequence[EventValue]) -> list[EventValue]:
    """Store `events` of one session in line and return them with their seqs.

    Raise `SessionClosed` if the session has ended (or does not exist); then nothing is stored.
    """
    result = record_batch({session_id: events})
    if session_id in result.refused:
        if session_id in result.stored:
            logger.warning(
                "session %s: %d events after the terminal event were refused",
                session_id,
                len(result.refused[session_id]),
            )
        else:
            raise SessionClosed(f"session {session_id} is closed; nothing more is stored in it")
    return result.stored.get(session_id, [])
