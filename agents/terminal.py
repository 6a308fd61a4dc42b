"""Following a session in a terminal: a progress bar per agent, the supervisor's decisions.

`TerminalView` reads the session's stored events in order (the database is the source of truth,
so nothing is missed however fast the agents go) and shows them: with rich progress bars on
stderr when it is a terminal, and as plain lines otherwise. Decisions, results, errors and the
end are always written as lines.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

from agents.state import AGENTS
from streaming.log.models import Event

POLL_SECONDS = 0.1


def describe(event: dict[str, Any]) -> str | None:
    """Return the line a terminal shows for `event`, or None for events shown only as bars."""
    phase, data = event["phase"], event["data"]
    if phase == "decision":
        return (
            f"supervisor → {data['next']} (confidence {data['confidence']:.2f}): "
            f"{data['reasoning']}"
        )
    if phase in {"result", "error"}:
        return f"{event['agent']} {phase}: {event['msg']}"
    if event["t"] == "session_event":
        return f"session {phase}: {event['msg']}"
    return None


class LineOutput(Protocol):
    """Where the lines go: a text stream, or a management command's `OutputWrapper`."""

    def write(self, text: str, /) -> object: ...
    def flush(self) -> object: ...
    def isatty(self) -> bool: ...


class TerminalView:
    """Shows one session's events as they are stored; see the module docstring."""

    def __init__(self, session_id: uuid.UUID, *, out: LineOutput, err: TextIO) -> None:
        self.session_id = session_id
        self.last_seq = 0
        self.out = out
        self.console = Console(file=err, stderr=True)
        self.live = self.console.is_terminal
        self.progress = Progress(
            TextColumn("{task.description:>10}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[msg]}", markup=False),
            console=self.console,
            disable=not self.live,
            transient=False,
        )
        self.bars: dict[str, TaskID] = {}

    def say(self, line: str) -> None:
        """Write a line: above the bars when they are live on the same terminal, else to out."""
        if self.live and self.out.isatty():
            self.progress.console.print(line, markup=False, highlight=False)
        else:
            self.out.write(line + "\n")
            self.out.flush()

    def show(self, event: dict[str, Any]) -> None:
        agent = event["agent"]
        if agent in AGENTS and event["pct"] is not None:
            if agent not in self.bars:
                self.bars[agent] = self.progress.add_task(agent, total=1.0, msg="")
            self.progress.update(self.bars[agent], completed=event["pct"], msg=event["msg"][:60])
        line = describe(event)
        if line is not None:
            self.say(line)

    async def catch_up(self) -> bool:
        """Show the events stored since the last call; True once the terminal one was shown."""
        ended = False
        query = Event.objects.for_session(self.session_id).after(self.last_seq)
        async for row in query.values_for_wire():
            event = row.to_dict()
            self.last_seq = event["seq"]
            self.show(event)
            ended = ended or (
                event["t"] == "session_event"
                and event["phase"] in {"completed", "failed", "cancelled"}
            )
        return ended

    async def follow(self, running: Callable[[], bool]) -> None:
        """Show events until the terminal one is shown, or the run stops and all are shown."""
        with self.progress:
            while True:
                if await self.catch_up():
                    return
                if not running():
                    await self.catch_up()
                    return
                await asyncio.sleep(POLL_SECONDS)
