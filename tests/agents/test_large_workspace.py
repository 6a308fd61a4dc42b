"""A large workspace completes with live progress and a bounded number of small events."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from streaming.runs.control import launch
from tests.conftest import make_workspace
from tests.sessions import assert_well_formed, astored_events, wait_for_status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PACKAGES, MODULES = 40, 60


def _module(package: int, index: int) -> str:
    nxt = f"pkg{(package + 1) % PACKAGES}.m{index}"
    return f"import os\nimport json\nfrom . import m{(index + 1) % MODULES}\nimport {nxt}\nX = 1\n"


async def test_thousands_of_modules_complete_with_live_progress_and_few_events(
    amake_session, user, workspace_root
):
    files = {f"pkg{p}/__init__.py": "" for p in range(PACKAGES)}
    files |= {f"pkg{p}/m{i}.py": _module(p, i) for p in range(PACKAGES) for i in range(MODULES)}
    make_workspace(workspace_root, "large", files)
    session = await amake_session(user, workspace="large", query="Which modules are central?")
    await launch(session.id)
    ended = await wait_for_status(session.id, within=240)
    events = await astored_events(session.id)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    assert len(events) < 200
    assert max(len(json.dumps(e["data"])) for e in events) < 100_000
    progress = Counter(e["agent"] for e in events if e["phase"] == "progress")
    assert all(10 <= n <= 60 for n in progress.values()), progress
    graph = next(e["data"] for e in events if e["agent"] == "architect" and e["phase"] == "result")
    assert graph["module_count"] == PACKAGES * (MODULES + 1)
    assert graph["cycle_count"] == 1  # every package reaches every other
    architect = [e for e in events if e["agent"] == "architect"]
    pcts = [e["pct"] for e in architect if e["phase"] == "progress"]
    assert pcts == sorted(pcts)
    assert pcts[-1] == 1.0
    assert architect[-1]["phase"] == "result"  # progress first, as the work went
