"""The runs' side of a stream's controls: a client connecting starts this process's runner (and
its sweep of dead runners' sessions); a `cancel` frame cancels the run."""

from __future__ import annotations

import uuid

from streaming.runs.control import ensure_started, request_cancel
from streaming.transports.controls import SessionControls


class RunControls(SessionControls):
    async def connected(self) -> None:
        await ensure_started()  # this process sweeps sessions whose runner died (docs/runner.md)

    async def cancel(self, session_id: uuid.UUID) -> None:
        await request_cancel(session_id)
