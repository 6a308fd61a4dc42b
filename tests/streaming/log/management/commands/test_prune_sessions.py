"""`manage.py prune_sessions --older-than DAYS [--archive DIR]`: arguments, archives, errors."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from streaming.log.models import Session
from tests.streaming.log.conftest import ROOT, child_env
from tests.streaming.log.old_sessions import ended_session, stored_objects, stored_seqs

pytestmark = pytest.mark.django_db(transaction=True)


def prune(*args: str) -> str:
    out = io.StringIO()
    call_command("prune_sessions", *args, stdout=out)
    return out.getvalue()


def pruned_ids() -> set:
    return set(Session.objects.filter(pruned_at__isnull=False).values_list("id", flat=True))


def test_prunes_with_an_archive_and_says_how_much(user, tmp_path):
    old = ended_session(user, events=4, days_ago=10)
    young = ended_session(user, events=4, days_ago=5)
    expected = stored_objects(old.id)
    archive = tmp_path / "archive" / "2026"  # made when missing

    out = prune("--older-than", "7", "--archive", str(archive), "-v", "2")

    assert pruned_ids() == {old.id}
    assert stored_seqs(young.id) == [1, 2, 3, 4, 5, 6]
    lines = (archive / f"{old.id}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected
    assert f"{old.id}: 6 events (archived to {archive / f'{old.id}.jsonl'})" in out
    assert out.splitlines()[-1].startswith("Pruned 1 session (6 events) in ")
    assert out.rstrip().endswith(f"; archives in {archive}.")


def test_fractions_of_days_and_zero_days(user):
    hours_ago = ended_session(user, days_ago=0.25)  # 6 hours
    just_now = ended_session(user, days_ago=0.0001)

    prune("--older-than", "0.5")
    assert pruned_ids() == set()
    prune("--older-than", "0.2")
    assert pruned_ids() == {hours_ago.id}
    prune("--older-than", "0")
    assert pruned_ids() == {hours_ago.id, just_now.id}


def test_gzip_writes_compressed_archives(user, tmp_path):
    session = ended_session(user, events=2)
    expected = stored_objects(session.id)

    prune("--older-than", "30", "--archive", str(tmp_path), "--gzip")

    (archive,) = tmp_path.iterdir()
    assert archive.name == f"{session.id}.jsonl.gz"
    with gzip.open(archive, "rt", encoding="utf-8") as lines:
        assert [json.loads(line) for line in lines] == expected


def test_without_an_archive_events_are_deleted_all_the_same(user):
    session = ended_session(user)
    out = prune("--older-than", "30", "--batch-size", "2")
    assert pruned_ids() == {session.id}
    assert stored_seqs(session.id) == []
    assert "archives" not in out


def test_a_dry_run_says_what_it_would_prune_and_changes_nothing(user, tmp_path):
    ended_session(user, events=3)
    ended_session(user, events=10)
    ended_session(user, days_ago=1)
    archive = tmp_path / "never"

    out = prune("--older-than", "30", "--archive", str(archive), "--dry-run")

    assert out.startswith("Would prune 2 sessions (17 events) that ended before ")
    assert pruned_ids() == set()
    assert not archive.exists()


def test_nothing_to_prune_is_said_plainly(user):
    ended_session(user, days_ago=1)
    assert prune("--older-than", "30").startswith("Pruned 0 sessions (0 events) in ")


@pytest.mark.parametrize("days", ["-1", "abc", "nan", "inf", "36501", ""])
def test_a_bad_days_is_refused_and_nothing_is_pruned(user, days):
    ended_session(user)
    with pytest.raises(CommandError, match="DAYS must be"):
        prune("--older-than", days)
    assert pruned_ids() == set()


def test_older_than_is_required():
    with pytest.raises(CommandError, match="--older-than"):
        prune()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gzip"], "--gzip needs --archive DIR"),
        (["--batch-size", "0"], "expected at least 1"),
        (["--batch-size", "many"], "expected a whole number"),
        (["--pause", "-1"], "expected a number of at least 0"),
    ],
)
def test_bad_options_are_refused(user, args, message):
    ended_session(user)
    with pytest.raises(CommandError, match=message):
        prune("--older-than", "30", *args)
    assert pruned_ids() == set()


def test_an_archive_dir_that_cannot_be_written_is_refused_before_anything_is_deleted(
    user, tmp_path
):
    session = ended_session(user)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    with pytest.raises(CommandError, match=r"cannot write archives to .*a-file/archive.*nothing"):
        prune("--older-than", "30", "--archive", str(blocker / "archive"))

    assert pruned_ids() == set()
    assert stored_seqs(session.id) == [1, 2, 3, 4, 5, 6, 7]


def test_an_archive_failing_midway_stops_the_run_with_an_error(user, tmp_path):
    first = ended_session(user, days_ago=50)
    blocked = ended_session(user, days_ago=40)
    (tmp_path / f"{blocked.id}.jsonl").mkdir()
    out = io.StringIO()

    with pytest.raises(CommandError, match="could not write an archive"):
        call_command("prune_sessions", "--older-than", "30", "--archive", str(tmp_path), stdout=out)

    assert pruned_ids() == {first.id}
    assert stored_seqs(blocked.id) == [1, 2, 3, 4, 5, 6, 7]
    assert out.getvalue().startswith("Pruned 1 session (7 events)")


def test_from_the_command_line(user, tmp_path):
    session = ended_session(user)
    manage = [sys.executable, str(ROOT / "manage.py"), "prune_sessions"]

    refused = subprocess.run(
        [*manage, "--older-than", "soon"], env=child_env(), capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "DAYS must be a number of days, not 'soon'" in refused.stderr

    done = subprocess.run(
        [*manage, "--older-than", "30", "--archive", str(tmp_path)],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Pruned 1 session (7 events)")
    assert (tmp_path / f"{session.id}.jsonl").is_file()
    assert pruned_ids() == {session.id}
