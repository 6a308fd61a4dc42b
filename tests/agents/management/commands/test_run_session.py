"""`manage.py run_session`: end to end without a terminal, and Ctrl-C cancelling cleanly."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from streaming import testing
from streaming.log.models import Session
from tests.sessions import assert_well_formed, stored_events

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(django_settings.BASE_DIR)


def test_run_session_prints_decisions_then_the_report_path_and_replay_url(report_dir):
    out, err = io.StringIO(), io.StringIO()
    call_command("run_session", "Map the sample workspace", stdout=out, stderr=err)
    session = Session.objects.get()
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Session {session.id} on workspace sample"
    decisions = [line for line in lines if line.startswith("supervisor → ")]
    assert [d.split()[2] for d in decisions] == [
        "research",
        "architect",
        "codesmith",
        "reviewer",
        "codesmith",
        "reviewer",
        "finish",
    ]
    assert decisions[0].endswith(
        "(confidence 1.00): Question understood as: an overview of the workspace. "
        "Nothing is known about the workspace yet."
    )
    assert "session completed: Session completed" in lines
    report = report_dir / f"{session.id}.md"
    assert lines[-2] == f"Report: {report.resolve()}"
    assert lines[-1] == (
        f"Replay: http://127.0.0.1:8000/sessions/{session.id}/replay/?token={session.share_token}"
    )
    events = stored_events(session.id)
    assert_well_formed(events, "completed")
    stored_report = [e for e in events if e["phase"] == "result" and e["agent"] == "codesmith"]
    assert report.read_text(encoding="utf-8") == stored_report[-1]["data"]["report"]
    assert session.owner.username == "cli"
    assert "\x1b[" not in err.getvalue()  # no progress bars when stderr is not a terminal


def test_run_session_refuses_a_workspace_outside_the_root():
    with pytest.raises(CommandError, match="directly inside the root"):
        call_command("run_session", "x", "--workspace", "../etc", stdout=io.StringIO())
    assert not Session.objects.exists()


def test_a_failed_session_exits_with_status_one(settings):
    settings.AGENTSTREAM_MAX_FILE_BYTES = "not a number"
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("run_session", "x", stdout=out, stderr=io.StringIO())
    assert exited.value.code == 1
    assert "research error: The research agent stopped on an internal error" in out.getvalue()
    assert "Replay: " in out.getvalue()


def test_run_session_refuses_a_query_the_api_would_refuse():
    with pytest.raises(CommandError, match="query must not be empty"):
        call_command("run_session", "   ", stdout=io.StringIO())
    with pytest.raises(CommandError, match="NUL"):
        call_command("run_session", "a\x00b", stdout=io.StringIO())
    assert not Session.objects.exists()


def test_another_workflow_runs_without_changing_the_process_settings(report_dir):
    before = dict(django_settings.AGENTSTREAM_WORKFLOWS)
    out = io.StringIO()
    workflow = "tests.streaming.runs.workflows.quick_workflow"
    call_command("run_session", "x", "--workflow", workflow, stdout=out, stderr=io.StringIO())
    assert before == django_settings.AGENTSTREAM_WORKFLOWS
    session = Session.objects.get()
    assert session.run.workflow == workflow  # the run says what ran (no registered lanes)
    events = stored_events(session.id)
    assert_well_formed(events, "completed")
    assert events[-1]["data"] == {"answer": 42}
    with pytest.raises(CommandError, match="--workflow"):
        call_command("run_session", "x", "--workflow", "tests.nowhere.run", stdout=out)


@pytest.mark.slow
def test_ctrl_c_cancels_the_session_cleanly(tmp_path):
    environ = {
        **os.environ,
        "DATABASE_URL": testing.database_url(),
        "AGENTSTREAM_REPORT_DIR": str(tmp_path / "reports"),
        "PYTHONUNBUFFERED": "1",
    }
    environ.pop("REDIS_URL", None)  # one process: the in-memory layer is enough
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_session",
                "wait for me",
                "--workflow",
                "tests.streaming.runs.workflows.gated_workflow",
            ],
            cwd=BASE_DIR,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: list[str] = []

    def read_stdout() -> None:
        for line in process.stdout:
            lines.append(line)

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()

    def started() -> bool:
        if process.poll() is not None:
            pytest.fail(f"run_session exited with {process.returncode}: {errors.read_text()}")
        return any(line.startswith("session started") for line in lines)

    try:
        testing.eventually_sync(started, within=60, what="run_session to print 'session started'")
        session = Session.objects.get()
        assert session.status == "running"
        process.send_signal(signal.SIGINT)
        process.wait(30)
        reader.join(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    out, err = "".join(lines), errors.read_text()
    assert process.returncode == 130, err
    assert "Cancelling the session" in err
    assert "session cancelled: Session cancelled at the user's request" in out
    assert "Replay: " in out
    assert "Traceback" not in err
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert_well_formed(stored_events(session.id), "cancelled")
