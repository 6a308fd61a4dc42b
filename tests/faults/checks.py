"""What the fault tests assert, written once: the database holds exactly what was emitted, a
process's footprint returns to where it started, a process logged an outage once.

Every check fails with what it saw (seqs missing or repeated, figures before and after, the
log records), so a failure says what to fix without a rerun.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

import psycopg

from tests.faults.clients import Follower, ranges, seq_problems
from tests.faults.processes import Daphne, ProcessLog, Usage
from tests.faults.services import RedisServer

MIB = 1024


def stored(database_url: str, sid: str) -> list[tuple[int, str, str, str | None, int | None]]:
    """The session's stored events: (seq, t, phase, data.tag, data.n), in seq order."""
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT seq, t, phase, data->>'tag', (data->>'n')::int FROM streaming_event "
            "WHERE session_id = %s ORDER BY seq",
            (sid,),
        ).fetchall()


def event_data(database_url: str, sid: str, seq: int) -> dict[str, Any]:
    """The `data` of one stored event."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT data FROM streaming_event WHERE session_id = %s AND seq = %s", (sid, seq)
        ).fetchone()
    assert row is not None, f"session {sid} has no event {seq}"
    return dict(row[0])


def session_status(database_url: str, sid: str) -> tuple[str, int]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT status, last_seq FROM streaming_session WHERE id = %s", (sid,)
        ).fetchone()
    assert row is not None, f"session {sid} is not in the database"
    return row[0], row[1]


def assert_stored_exactly(
    database_url: str, sid: str, *, emitted: dict[str, int], terminal: str | None
) -> int:
    """The database holds each emitted event once (`emitted`: how many per `data.tag`, numbered
    0..count-1 in `data.n`), gapless seqs 1..N, and the `terminal` event last; return N."""
    rows = stored(database_url, sid)
    problems = []
    if gaps := seq_problems([r[0] for r in rows], len(rows)):
        problems.append(f"seqs: {gaps}")
    by_tag: dict[str, Counter[int]] = {}
    for _, _, _, tag, n in rows:
        if tag is not None and n is not None:
            by_tag.setdefault(tag, Counter())[n] += 1
    for tag, count in emitted.items():
        held = by_tag.pop(tag, Counter())
        missing = [n for n in range(count) if n not in held]
        twice = sorted(n for n, c in held.items() if c > 1)
        extra = sorted(n for n in held if not 0 <= n < count)
        if missing or twice or extra:
            problems.append(
                f"{tag!r} ({count} emitted): missing {len(missing)} [{ranges(missing)}], "
                f"stored twice {len(twice)} [{ranges(twice)}], never emitted [{ranges(extra)}]"
            )
    if by_tag:
        problems.append(
            f"events of tags never emitted: { {t: sum(c.values()) for t, c in by_tag.items()} }"
        )
    sessions = [(seq, phase) for seq, t, phase, _, _ in rows if t == "session_event"]
    if terminal is not None and (not rows or rows[-1][2] != terminal):
        problems.append(
            f"the last event is not {terminal!r}: {rows[-1:]}; session events {sessions}"
        )
    assert not problems, f"session {sid}, {len(rows)} stored events: " + "; ".join(problems)
    return len(rows)


def assert_each_seq_once(followers: list[Follower], last_seq: int) -> None:
    """Every follower received seqs 1..last_seq, each once, in order, then ``end``."""
    problems = []
    for follower in followers:
        issue = seq_problems(follower.seqs, last_seq)
        end_seq = (follower.end or {}).get("last_seq")
        if issue or end_seq != last_seq:
            problems.append(f"{follower.report()}\n    -> {issue or f'end at {end_seq}'}")
    assert not problems, f"expected seqs 1..{last_seq} once each:\n" + "\n".join(problems)


def assert_endings(followers: list[Follower], allowed: set[str]) -> None:
    """Every connection a follower lost ended in one of the `allowed` ways."""
    bad = [
        f"{f.name}: {e}"
        for f in followers
        for e in f.endings
        if not any(e.how.startswith(a) for a in allowed)
    ]
    assert not bad, (
        f"connections ended in undocumented ways (allowed: {sorted(allowed)}):\n"
        + "\n".join(bad)
        + "\nall of them:\n"
        + "\n".join(f.report() for f in followers)
    )


@dataclass(frozen=True)
class Footprint:
    """What one server holds, from outside (Redis, /proc) and inside (`tests.faults.probe`)."""

    channels: int  # Redis pub/sub channels with a subscriber (all processes of the test)
    subscriptions: int  # their subscriptions (PUBSUB NUMSUB summed)
    connections: int  # client TCP connections the server holds
    rss_kib: int
    fds: int
    threads: int
    tasks: int
    objects: int  # Python objects the garbage collector tracks
    consumers: int  # SessionConsumer objects alive
    tails: int  # SessionTail objects alive
    doorbells: int  # one per stream
    bells: int  # SessionBell objects alive: one per session followed in the process

    @classmethod
    async def of(cls, server: Daphne, redis: RedisServer) -> Footprint:
        # Before asking the probe: its own connection is not one of the clients'.
        usage = server.usage()
        connections = Usage.connections(server.pid, server.port)
        inside: dict[str, Any] = await server.stats()
        return cls(
            channels=len(redis.channels()),
            subscriptions=redis.subscriptions(),
            connections=connections,
            rss_kib=usage.rss_kib,
            fds=usage.fds,
            threads=usage.threads,
            tasks=inside["tasks"],
            objects=inside["objects"],
            consumers=inside["SessionConsumer"],
            tails=inside["SessionTail"],
            doorbells=inside["Doorbell"],
            bells=inside["SessionBell"],
        )

    def over(
        self, baseline: Footprint, tolerance: dict[str, int], only: set[str] | None = None
    ) -> list[str]:
        """The figures (all, or those named in `only`) above `baseline` by more than their
        `tolerance` (0 if not named)."""
        return [
            f"{f.name} {getattr(baseline, f.name)} -> {getattr(self, f.name)} "
            f"(tolerance +{tolerance.get(f.name, 0)})"
            for f in fields(self)
            if (only is None or f.name in only)
            and getattr(self, f.name) > getattr(baseline, f.name) + tolerance.get(f.name, 0)
        ]

    def __str__(self) -> str:
        return ", ".join(
            f"{f.name}={getattr(self, f.name) / MIB:.1f}MiB"
            if f.name == "rss_kib"
            else f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
        )


def outage_logged_once(log: ProcessLog, since: int, *, must_warn: bool) -> list[str]:
    """Problems with how one process logged one outage: more than one WARNING (or none when
    `must_warn`), any ERROR, and not exactly one INFO of the warning's logger after it."""
    records = log.records(since)
    problems = []
    warnings = [i for i, r in enumerate(records) if r.level == "WARNING"]
    errors = [r for r in records if r.level in {"ERROR", "CRITICAL"}]
    if errors:
        problems.append(f"{len(errors)} ERROR records, e.g. " + " | ".join(map(str, errors[:3])))
    if len(warnings) > 1 or (must_warn and not warnings):
        shown = " | ".join(str(records[i]) for i in warnings[:4])
        problems.append(f"{len(warnings)} WARNING records (expected one): {shown}")
    if warnings:
        first = records[warnings[0]]
        back = [
            r for r in records[warnings[0] + 1 :] if r.level == "INFO" and r.logger == first.logger
        ]
        if len(back) != 1:
            problems.append(
                f"{len(back)} INFO records of {first.logger} after its WARNING (expected one): "
                + " | ".join(map(str, back[:4]))
            )
    return [f"{log.path.name}: {p}" for p in problems]
