"""Writes to a session's own row that are not part of storing events.

Plain, keyword-only functions (STYLE.md: writes are never hidden in `save()`), each with its
async twin right below it.
"""

from __future__ import annotations

import uuid

from asgiref.sync import sync_to_async

from streaming.log.models import Session, new_share_token


def rotate_share_token(*, session_id: uuid.UUID) -> str | None:
    """Give the session a fresh share token and return it (None: there is no such session).

    The old token stops granting anything at once: access compares against the stored token.
    """
    token = new_share_token()
    updated = Session.objects.filter(pk=session_id).update(share_token=token)
    return token if updated else None


async def arotate_share_token(*, session_id: uuid.UUID) -> str | None:
    """`rotate_share_token` from async code."""
    return await sync_to_async(rotate_share_token)(session_id=session_id)
