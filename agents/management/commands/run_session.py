"""``python manage.py run_session "query" [--workspace NAME]``: run a workflow in the terminal.

It creates the session, runs it in this process (whatever ``AGENTSTREAM_RUNNER`` says), shows a
progress bar per agent on stderr when that is a terminal, prints the supervisor's decisions, and
ends with the report's path and the replay URL. Ctrl-C cancels the session cleanly (a second
Ctrl-C stops at once). Exit status: 0 completed, 1 failed, 130 cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from agents.conf import conf
from agents.terminal import TerminalView
from streaming.log.exceptions import StreamingError
from streaming.log.models import Session
from streaming.runs import workflows
from streaming.runs.control import request_cancel, run_session
from streaming.runs.exceptions import BadQuery, BadWorkspace
from streaming.runs.sessions import create_session, validate_query
from streaming.runs.workspaces import resolve_workspace

EXIT = {"completed": 0, "failed": 1, "cancelled": 130}


class Command(BaseCommand):
    help = "Run an agent workflow on a workspace in this terminal and print where its report is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="what the agents should look into")
        parser.add_argument("--workspace", default=None, help="a folder in the workspace root")
        parser.add_argument("--user", default="cli", help="owner of the session (made if new)")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("AGENTSTREAM_BASE_URL", "http://127.0.0.1:8000"),
            help="where the server is reached, for the replay URL",
        )
        parser.add_argument(
            "--workflow",
            default=None,
            help="a registered workflow's name, or the dotted path of a workflow coroutine",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            query = validate_query(options["query"])
            workspace = resolve_workspace(options["workspace"])
        except (BadQuery, BadWorkspace) as exc:
            raise CommandError(str(exc)) from exc
        workflow, entry = options["workflow"], None
        if workflow and workflow not in workflows.registry():
            try:  # not a registered name: the dotted path of a workflow coroutine
                import_string(workflow)
            except ImportError as exc:
                raise CommandError(f"--workflow {workflow!r}: {exc}") from exc
            workflow, entry = None, workflow
        owner, _ = get_user_model().objects.get_or_create(username=options["user"])
        try:
            session = create_session(
                owner=owner,
                query=query,
                workspace=workspace.name,
                workflow=workflow,
                rate_limited=False,
                entry=entry,
            )
        except StreamingError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Session {session.id} on workspace {workspace.name}")
        err = options.get("stderr") or sys.stderr
        status = asyncio.run(self._run(session.id, entry=entry, err=err))
        session.refresh_from_db()
        report = conf.REPORT_DIR / f"{session.id}.md"
        if report.is_file():
            self.stdout.write(f"Report: {report.resolve()}")
        self.stdout.write(f"Replay: {self._replay_url(session, options['base_url'])}")
        if status != "completed":
            raise SystemExit(EXIT.get(status, 1))

    async def _run(self, session_id: uuid.UUID, *, entry: str | None, err: TextIO) -> str:
        loop = asyncio.get_running_loop()
        run = asyncio.create_task(run_session(session_id, entry=entry))
        interrupts = 0
        cancels: list[asyncio.Task[None]] = []

        def interrupted() -> None:
            nonlocal interrupts
            interrupts += 1
            if interrupts > 1:
                run.cancel()  # a second Ctrl-C: stop now (the session still ends `cancelled`)
                return
            self.stderr.write("Cancelling the session (Ctrl-C again to stop at once)...")
            cancels.append(loop.create_task(request_cancel(session_id)))

        # Not in the main thread, or no signals here: then Ctrl-C is Python's own.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, interrupted)
        try:
            view = TerminalView(session_id, out=self.stdout, err=err)
            await view.follow(running=lambda: not run.done())
            with contextlib.suppress(asyncio.CancelledError):
                await run
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
        return (await Session.objects.aget(id=session_id)).status

    @staticmethod
    def _replay_url(session: Session, base_url: str) -> str:
        try:
            path = reverse("session-replay", kwargs={"session_id": session.id})
        except (NoReverseMatch, ImportError):
            path = f"/sessions/{session.id}/replay/"
        return f"{base_url.rstrip('/')}{path}?token={session.share_token}"
