"""``python manage.py bench_survey --workspace NAME``: time the survey on one workspace.

It runs one session in this process (events stored as in production) and prints the machine,
the wall time, each agent's time (its first event to its last), how many events were stored
(progress events per agent among them), the largest event's data, and the workspace's size.
Nothing is asserted: README.md's benchmark section quotes its output.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from streaming import flush
from streaming.log.models import Event
from streaming.runs.control import run_session
from streaming.runs.exceptions import BadWorkspace
from streaming.runs.sessions import create_session
from streaming.runs.workspaces import resolve_workspace

AGENTS = ("research", "architect", "codesmith", "reviewer")


class Command(BaseCommand):
    help = "Time the survey on a workspace and count the events it stores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="a folder in the workspace root")
        parser.add_argument("--query", default="Which modules are central?")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = resolve_workspace(options["workspace"])
        except BadWorkspace as exc:
            raise CommandError(str(exc)) from exc
        owner, _ = get_user_model().objects.get_or_create(username="bench")
        session = create_session(
            owner=owner, query=options["query"], workspace=workspace.name, rate_limited=False
        )
        started = time.perf_counter()
        asyncio.run(self._run(session.id))
        seconds = time.perf_counter() - started
        events = [row.to_dict() for row in Event.objects.for_session(session.id)]
        self.stdout.write(self.describe(workspace.name, seconds, events))

    @staticmethod
    async def _run(session_id: uuid.UUID) -> None:
        await run_session(session_id)
        await flush()  # every event stored and published before this loop closes

    @staticmethod
    def describe(name: str, seconds: float, events: list[dict[str, Any]]) -> str:
        """Return the benchmark's lines for one finished session."""
        python = platform.python_version()
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {python}"
        status = events[-1]["phase"]
        progress = Counter(e["agent"] for e in events if e["phase"] == "progress")
        spans = [f"{agent} {seconds:.2f} s" for agent, seconds in visits(events).items()]
        results = {e["agent"]: e["data"] for e in events if e["phase"] == "result"}
        inventory, graph = results.get("research", {}), results.get("architect", {})
        largest = max(len(json.dumps(e["data"])) for e in events)
        return "\n".join(
            [
                f"machine: {machine}",
                f"workspace {name}: {inventory.get('files', 0):,} files, "
                f"{inventory.get('bytes', 0):,} bytes, {graph.get('module_count', 0):,} "
                f"Python modules, {graph.get('edge_count', 0):,} imports",
                f"session {status} in {seconds:.1f} s ({', '.join(spans)})",
                f"events stored: {len(events):,}; progress events: "
                + ", ".join(f"{agent} {progress[agent]}" for agent in AGENTS)
                + f"; largest event data: {largest:,} bytes",
            ]
        )


def visits(events: list[dict[str, Any]]) -> dict[str, float]:
    """Return each agent's time: from each decision that sends work to it to the supervisor's
    next event, summed over its visits (codesmith and the reviewer run twice on a revision)."""
    spent: dict[str, float] = dict.fromkeys(AGENTS, 0.0)
    for index, event in enumerate(events):
        if event["phase"] != "decision" or event["data"]["next"] not in spent:
            continue
        after = next((e for e in events[index + 1 :] if e["agent"] == "supervisor"), events[-1])
        spent[event["data"]["next"]] += _seconds(after["ts"]) - _seconds(event["ts"])
    return spent


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()
