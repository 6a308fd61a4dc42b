"""The architect's parsing: a file gone since it was listed is skipped, and said so."""

from __future__ import annotations

import asyncio

import pytest

from agents.architect import Parsed, parse_files
from agents.files import python_files
from streaming import bound_session, flush
from tests.conftest import make_workspace
from tests.sessions import astored_events

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_file_gone_since_it_was_listed_is_skipped_by_the_architect(
    amake_session, user, tmp_path
):
    root = make_workspace(
        tmp_path, "w", {"a.py": "import b\n", "b.py": "x = 1\n", "c.py": "y = 2\n"}
    )
    entries = list(python_files(root))
    (root / "b.py").unlink()  # reading it now raises FileNotFoundError, an OSError
    session = await amake_session(user)
    with bound_session(session.id):
        parsed = await asyncio.to_thread(parse_files, entries, Parsed())
        await flush()
    assert sorted(parsed.sources) == ["a.py", "c.py"]
    reason = "unreadable (No such file or directory): not parsed"
    assert parsed.skipped.items == [{"path": "b.py", "reason": reason, "bytes": 6}]
    assert f"Skipped b.py: {reason}" in [e["msg"] for e in await astored_events(session.id)]
