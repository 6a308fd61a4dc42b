"""A session's archive: its stored events as JSON Lines in a file of their own, synced to disk.

Retention (`streaming.log.retention`) writes one before it deletes a session's events. The lines
are the export's (`streaming.log.follow.jsonl_chunks`): the same reads, the same text, so an
archive replays to the same event objects.
"""

from __future__ import annotations

import gzip
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from streaming.log.follow.reads import read_page

logger = logging.getLogger(__name__)

#: Events read per query.
PAGE_SIZE = 2_000


def archive_path(directory: Path, session_id: uuid.UUID, *, compress: bool = False) -> Path:
    """Return where the archive of `session_id` goes: ``<directory>/<id>.jsonl`` (or ``.gz``)."""
    return directory / f"{session_id}.jsonl{'.gz' if compress else ''}"


def check_archive_dir(directory: Path) -> None:
    """Make `directory` (and its parents) if needed and write a file there; raise OSError if
    either fails."""
    directory.mkdir(parents=True, exist_ok=True)
    probe = directory / f".prune-probe-{uuid.uuid4().hex}"
    probe.write_bytes(b"")
    probe.unlink()


def write_archive(
    session_id: uuid.UUID,
    last_seq: int,
    directory: Path,
    *,
    compress: bool = False,
    page_size: int = PAGE_SIZE,
    on_page: Callable[[int], None] | None = None,
) -> tuple[Path, int]:
    """Write the stored events of a session up to `last_seq` to its archive, one event object a
    line, and sync it to disk; return the archive's path and the number of events written.

    The file appears under its name only once complete (written aside, then renamed);
    `on_page(n)` is called after each page of `n` events is written.
    """
    final = archive_path(directory, session_id, compress=compress)
    partial = final.with_name(f".{final.name}.partial")
    try:
        with partial.open("wb") as raw:
            if compress:
                with gzip.GzipFile(final.name, "wb", compresslevel=6, fileobj=raw) as zipped:
                    written = _write_lines(zipped, session_id, last_seq, page_size, on_page)
            else:
                written = _write_lines(raw, session_id, last_seq, page_size, on_page)
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_directory(directory)
    if written != last_seq:
        logger.warning("session %s: archived %d of %d events", session_id, written, last_seq)
    return final, written


def _write_lines(
    sink: BinaryIO | gzip.GzipFile,
    session_id: uuid.UUID,
    last_seq: int,
    page_size: int,
    on_page: Callable[[int], None] | None,
) -> int:
    written = after = 0
    while after < last_seq:
        page = read_page(session_id, after, last_seq, page_size)
        if not page:
            break  # rows missing below last_seq: nothing more to archive
        sink.write("".join(f"{event.text}\n" for event in page).encode())
        written += len(page)
        after = page[-1].seq
        if on_page is not None:
            on_page(len(page))
    return written


def _sync_directory(directory: Path) -> None:
    """Make the archive's rename durable (where the platform lets a directory be synced)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        logger.debug("cannot sync directory %s", directory)
    finally:
        os.close(fd)
