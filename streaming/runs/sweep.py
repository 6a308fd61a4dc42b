"""The sweep: sessions whose runner stopped renewing its lease end `failed`, saying why.

Any runner process sweeps, at its start and then periodically. A session is taken over with a
conditional UPDATE (`leases.take_expired`), so a session whose live runner keeps renewing its
lease is never touched, and two sweepers never end the same one. The sweeper then emits the
terminal event (after `started`, if the dead runner never stored it).
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async

from streaming.log.events import Phase, format_ts
from streaming.runs import leases
from streaming.runs.lifecycle import end_session

logger = logging.getLogger(__name__)


async def sweep(*, owner: str) -> int:
    """End every session whose lease expired; return how many were ended."""
    ended = 0
    for expired in await database_sync_to_async(leases.take_expired)(owner=owner):
        if expired.was_pending:
            msg = (
                "The server process that queued this session stopped before it could start it; "
                "start a new session."
            )
        else:
            msg = (
                "The process running this session stopped responding (its lease expired at "
                f"{format_ts(expired.expired_at)}); start a new session to run it again."
            )
        logger.warning(
            "session %s: lease of %s expired at %s; ending it as failed",
            expired.session_id,
            expired.previous_owner,
            expired.expired_at,
        )
        data = {
            "reason": "lease_expired",
            "lease_owner": expired.previous_owner,
            "lease_expired_at": format_ts(expired.expired_at),
        }
        if await end_session(
            expired.session_id, Phase.FAILED, msg, data=data, start=expired.last_seq == 0
        ):
            ended += 1
    return ended
