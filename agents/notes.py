"""What the sync agents say, and the lists of theirs that must not grow with the workspace.

`say` emits one event of an agent from sync code (a LangGraph executor thread), into the session
bound in the context. `Capped` keeps the first items of a list whose length depends on the
workspace (skipped files, files that do not parse or compile, review findings) and counts them
all: an event's data is refused over 1 MiB, so nothing in it may grow with the file count.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from streaming import Event, Phase, emit_sync

#: Items (skipped files, files that do not parse) named one by one in events; the rest counted.
MAX_NOTES = 20

T = TypeVar("T")


def say(agent: str, phase: Phase, msg: str, **kwargs: Any) -> None:
    """Emit an event of `agent` from sync code (`Event.for_agent` takes `pct` and `data`)."""
    emit_sync(Event.for_agent(agent, phase, msg, **kwargs))


class Capped(Generic[T]):
    """The first `limit` items added, and how many were added in all."""

    def __init__(self, limit: int) -> None:
        self.limit = max(int(limit), 0)
        self.items: list[T] = []
        self.count = 0

    def add(self, item: T) -> bool:
        """Count `item`; keep it if there is room. Return True if it was kept."""
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(item)
            return True
        return False

    @property
    def more(self) -> int:
        """How many were counted but not kept."""
        return self.count - len(self.items)
