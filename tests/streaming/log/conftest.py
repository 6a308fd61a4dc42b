"""Helpers of the log's tests: child Python processes that emit into a session, stored seqs."""

from __future__ import annotations

import os
import sys
import textwrap
import uuid
from pathlib import Path

from django.conf import settings

from streaming.log.models import Event as Row
from streaming.testing import database_url

ROOT = Path(settings.BASE_DIR)

#: What every child script starts with: Django set up, `SID` the session of its argv[1].
PRELUDE = """
import os, sys, uuid
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from streaming import Event, bound_session, emit_sync, flush_sync
from streaming.log.bus import get_bus
SID = uuid.UUID(sys.argv[1])
def think(msg):
    return Event.for_agent("research", "think", msg)
"""


def script(body: str) -> list[str]:
    """Return the argv of a child Python running `body` after `PRELUDE`."""
    return [sys.executable, "-c", PRELUDE + textwrap.dedent(body)]


def child_env() -> dict[str, str]:
    """The environment of a child process: this test database, the in-memory layer."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_TEST_NAME"}}
    env["DATABASE_URL"] = database_url()
    env["PYTHONPATH"] = str(ROOT)
    return env


def seqs(session_id: uuid.UUID) -> list[int]:
    """Return the stored seqs of the session, in order."""
    return list(Row.objects.for_session(session_id).values_list("seq", flat=True))
