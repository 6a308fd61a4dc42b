"""Honest, bounded progress: `pct` is items done over items to do, emitted at a steady pace.

A meter emits when the percent it shows moves by `step` points, or by one point once `interval`
seconds have passed, and always for the last item: a workspace of a million files gives between
25 and 100 progress events per agent however long it works, not a million. Each emit is also
where a cancelled session stops a sync node: the closed session refuses it with `SessionClosed`
(so a cancel waits at most for one percent of the work).
"""

from __future__ import annotations

import time

from streaming import Event, Phase, emit_sync

#: The least a percentage moves between two progress events, however long the work takes.
MIN_STEP = 0.01


class ProgressMeter:
    """Counts items for one agent working in a thread and emits `progress` events."""

    def __init__(
        self, agent: str, total: int, *, unit: str, step: float = 0.04, interval: float = 0.5
    ) -> None:
        self.agent = agent
        self.total = max(total, 0)
        self.unit = unit
        self.done = 0
        self._step = step
        self._interval = interval
        self._last_pct = -1.0
        self._last_time = time.monotonic()

    @property
    def pct(self) -> float:
        if self.total <= 0:
            return 1.0
        return min(self.done / self.total, 1.0)

    def advance(self, msg: str | None = None, *, count: int = 1) -> None:
        """Record `count` more items done; emit a progress event if it is time to."""
        self.done += count
        self.total = max(self.total, self.done)  # the workspace grew while we worked
        pct = self.pct
        now = time.monotonic()
        moved = pct - self._last_pct
        due = (
            self.done >= self.total
            or moved >= self._step
            or (now - self._last_time >= self._interval and moved >= MIN_STEP)
        )
        if due:
            self._last_pct, self._last_time = pct, now
            text = msg or f"{self.done} of {self.total} {self.unit}"
            emit_sync(
                Event.for_agent(
                    self.agent,
                    Phase.PROGRESS,
                    text,
                    pct=pct,
                    data={"done": self.done, "total": self.total, "unit": self.unit},
                )
            )
