"""`manage.py prune_sessions --older-than DAYS [--archive DIR]`: retention (docs/protocol.md).

Deletes the events of every session that ended more than DAYS ago, after writing each to
``DIR/<id>.jsonl`` (``.jsonl.gz`` with ``--gzip``) when ``--archive`` is given; the session rows
stay as tombstones, so their URLs answer 410 `gone`. A session that has not ended is never
pruned. The work is `streaming.log.retention`; see docs/core.md, "Retention".
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from streaming.log import retention
from streaming.log.archives import check_archive_dir

MAX_DAYS = 36_500  # a hundred years: past that a cutoff leaves the calendar's range


def days(value: str) -> float:
    """Read DAYS: a number of days from 0 to `MAX_DAYS`, fractions allowed."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"DAYS must be a number of days, not {value!r}") from None
    if not math.isfinite(number) or not 0 <= number <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"DAYS must be from 0 to {MAX_DAYS:,}, not {value!r}")
    return number


def counted(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, not {value!r}")
    return number


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, not {value!r}")
    return number


class Command(BaseCommand):
    help = (
        "Delete the events of sessions that ended more than DAYS ago, archiving each first "
        "with --archive DIR; their rows stay as tombstones (410 gone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=days,
            required=True,
            metavar="DAYS",
            help="prune sessions that ended more than DAYS ago (fractions allowed; 0: all ended)",
        )
        parser.add_argument(
            "--archive",
            type=Path,
            metavar="DIR",
            help="write each session to DIR/<id>.jsonl before deleting it (DIR is made if needed)",
        )
        parser.add_argument("--gzip", action="store_true", help="write DIR/<id>.jsonl.gz instead")
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=retention.DEFAULT_BATCH_SIZE,
            help=f"events per read or delete ({retention.DEFAULT_BATCH_SIZE:,})",
        )
        parser.add_argument(
            "--pause",
            type=seconds,
            default=retention.DEFAULT_PAUSE,
            metavar="SECONDS",
            help=f"rest after each batch's worth of work ({retention.DEFAULT_PAUSE} s)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be pruned; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive_dir: Path | None = options["archive"]
        if options["gzip"] and archive_dir is None:
            raise CommandError("--gzip needs --archive DIR")
        ended_before = retention.cutoff(timedelta(days=options["older_than"]))
        if options["dry_run"]:
            planned = retention.plan(ended_before)
            self.stdout.write(
                f"Would prune {counted(planned.sessions, 'session')} "
                f"({counted(planned.events, 'event')}) that "
                f"ended before {ended_before:%Y-%m-%d %H:%M:%S} UTC."
            )
            return
        if archive_dir is not None:
            try:
                check_archive_dir(archive_dir)
            except OSError as exc:
                raise CommandError(
                    f"cannot write archives to {archive_dir}: {exc.strerror or exc}; "
                    "nothing was pruned"
                ) from exc
        self._prune(options, archive_dir, ended_before)

    def _prune(
        self, options: dict[str, Any], archive_dir: Path | None, ended_before: datetime
    ) -> None:
        started = time.monotonic()
        sessions = events = 0
        try:
            for pruned in retention.prune_sessions(
                ended_before=ended_before,
                archive_dir=archive_dir,
                compress=options["gzip"],
                pace=retention.Pace(options["batch_size"], options["pause"]),
            ):
                sessions += 1
                events += pruned.events
                if options["verbosity"] >= 2:
                    where = f" (archived to {pruned.archive})" if pruned.archive else ""
                    self.stdout.write(f"{pruned.session_id}: {pruned.events:,} events{where}")
        except OSError as exc:
            self._summary(sessions, events, started, archive_dir)
            raise CommandError(
                f"could not write an archive: {exc}; that session and the ones after it "
                "were not pruned"
            ) from exc
        self._summary(sessions, events, started, archive_dir)

    def _summary(self, sessions: int, events: int, started: float, archive: Path | None) -> None:
        elapsed = time.monotonic() - started
        rate = f", {events / elapsed:,.0f} events/s" if events and elapsed > 0 else ""
        where = f"; archives in {archive}" if archive is not None and sessions else ""
        self.stdout.write(
            f"Pruned {counted(sessions, 'session')} ({counted(events, 'event')}) "
            f"in {elapsed:.2f} s{rate}{where}."
        )
