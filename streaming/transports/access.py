"""Who may read and who may control a session (docs/protocol.md, "Sessions").

The owner and staff users may read and control a session; a share token (``?token=``) grants
reading that one session, never control. Sessions are looked up by id and the token compared in
constant time, so neither a query nor a comparison tells a guesser how close they came. (Share
tokens ride in URLs: `streaming.site.redaction` keeps them out of the logs.) A pruned session
(docs/protocol.md, "Retention") is still found: its `Access` says it is `gone`, so a caller who
may read it gets 410 / close code 4410 rather than 404, and anyone else still gets nothing.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streaming.log.models import Session

if TYPE_CHECKING:
    # django-stubs' alias for "AUTH_USER_MODEL or AnonymousUser", which its mypy plugin resolves
    # from the settings (no public spelling yet: typeddjango/django-stubs#2366).
    from django.contrib.auth.models import _AnyUser as User

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True, slots=True)
class Access:
    """A caller's access to one session: reading always, control only as owner or staff."""

    session: Session
    can_control: bool

    @property
    def gone(self) -> bool:
        """Return True if the session was pruned: its events are gone, only its row is left."""
        return self.session.pruned_at is not None

    @property
    def shows_token(self) -> bool:
        """Return True if the caller may see the share token (owner and staff)."""
        return self.can_control


def parse_session_id(value: object) -> uuid.UUID | None:
    """Return `value` as a session id if it is a UUID in canonical form, else None."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        return None
    return uuid.UUID(value)


def token_matches(given: str | None, expected: str) -> bool:
    """Compare a share token in constant time (for tokens of the expected length)."""
    if not given or not expected:
        return False
    return secrets.compare_digest(given.encode(), expected.encode())


def access_to(session: Session, user: User | None, token: str | None = None) -> Access | None:
    """Return what `user` (or the bearer of `token`) may do with `session`; None: nothing."""
    owner_or_staff = user is not None and (
        user.is_authenticated and (user.is_staff or session.owner_id == user.pk)
    )
    if owner_or_staff:
        return Access(session=session, can_control=True)
    if token_matches(token, session.share_token):
        return Access(session=session, can_control=False)
    return None


def get_access(session_id: Any, user: User | None, token: str | None = None) -> Access | None:
    """Load the session `session_id` (any value: non-UUIDs find nothing) and return access
    (a pruned session too: check `Access.gone`)."""
    sid = session_id if isinstance(session_id, uuid.UUID) else parse_session_id(session_id)
    if sid is None:
        return None
    session = Session.objects.filter(pk=sid).first()
    return None if session is None else access_to(session, user, token)
