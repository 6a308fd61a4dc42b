"""The research agent: an inventory of the workspace (files, languages, sizes, largest modules).

A plain sync function: LangGraph runs it in its executor with the context copied, so its
`emit_sync` calls land in the session the runner bound. It counts the files first, then walks them
once more, reading each text file (up to the size limit) in chunks to count its lines. Memory stays
bounded: per-language totals, the largest files in a small heap, the first few notes.
"""

from __future__ import annotations

import heapq
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, TypedDict

from agents.conf import conf
from agents.file_kinds import KINDS, kind_of
from agents.files import FileEntry, count_files, walk
from agents.notes import MAX_NOTES, Capped, say
from agents.progress import ProgressMeter
from agents.state import WorkflowState
from agents.wording import count
from streaming import Phase

AGENT = "research"
TOP = 10
_CHUNK = 64 * 1024


def count_lines(entry: FileEntry) -> int | None:
    """Return the number of lines of a text file, or None for a binary one (NUL bytes)."""
    fd = os.open(entry.absolute, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    lines = 0
    last = b"\n"
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            if b"\x00" in chunk:
                return None
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


class LanguageRow(TypedDict):
    """One language's totals in the inventory's data."""

    language: str
    files: int
    lines: int
    bytes: int
    share: float  # percent of all bytes


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


class Inventory:
    """Running totals of a workspace walk, in memory that does not grow with the file count."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.files = 0
        self.bytes = 0
        self.lines = 0
        self.python_files = 0
        self.languages: dict[str, dict[str, int]] = defaultdict(
            lambda: {"files": 0, "bytes": 0, "lines": 0}
        )
        self.kinds: dict[str, dict[str, int]] = defaultdict(
            lambda: {"files": 0, "bytes": 0, "lines": 0}
        )
        self.largest: list[tuple[int, str]] = []  # min-heap of (bytes, path)
        self.largest_modules: list[tuple[int, str]] = []
        self.skipped: Capped[dict[str, Any]] = Capped(MAX_NOTES)

    def skip(self, path: str, reason: str, size: int = 0) -> bool:
        """Note a skipped file; return True if it is one of the first few, named in events."""
        return self.skipped.add({"path": path, "reason": reason, "bytes": size})

    def add(self, entry: FileEntry, lines: int | None) -> None:
        self.files += 1
        self.bytes += entry.size
        language = self.languages[entry.language]
        kind = self.kinds[kind_of(entry.path)]
        for totals in (language, kind):
            totals["files"] += 1
            totals["bytes"] += entry.size
            if lines is not None:
                totals["lines"] += lines
        if lines is not None:
            self.lines += lines
        _push(self.largest, (entry.size, entry.path))
        if entry.is_python:
            self.python_files += 1
            _push(self.largest_modules, (entry.size, entry.path))

    def as_data(self, workspace: str) -> dict[str, Any]:
        languages: list[LanguageRow] = [
            {
                "language": name,
                "files": totals["files"],
                "lines": totals["lines"],
                "bytes": totals["bytes"],
                "share": _share(totals["bytes"], self.bytes),
            }
            for name, totals in self.languages.items()
        ]
        languages.sort(key=lambda row: (-row["bytes"], row["language"]))
        kinds = [
            {"kind": kind, **totals, "share": _share(totals["bytes"], self.bytes)}
            for kind in KINDS
            if (totals := self.kinds.get(kind))
        ]
        return {
            "workspace": workspace,
            "files": self.files,
            "bytes": self.bytes,
            "lines": self.lines,
            "python_files": self.python_files,
            "languages": languages,
            "language_count": len(languages),
            "kinds": kinds,
            "report_rows": int(conf.REPORT_ROWS),
            "largest_files": _ranked(self.largest),
            "largest_modules": _ranked(self.largest_modules),
            "skipped": self.skipped.items,
            "skipped_count": self.skipped.count,
            "size_limit": self.limit,
        }


def _push(heap: list[tuple[int, str]], item: tuple[int, str]) -> None:
    if len(heap) < TOP:
        heapq.heappush(heap, item)
    else:
        heapq.heappushpop(heap, item)


def _ranked(heap: list[tuple[int, str]]) -> list[dict[str, Any]]:
    return [
        {"path": path, "bytes": size}
        for size, path in sorted(heap, key=lambda item: (-item[0], item[1]))
    ]


def take_inventory(root: Path, workspace: str) -> dict[str, Any]:
    """Walk `root`, emitting think/progress events, and return the inventory as data."""
    limit = int(conf.MAX_FILE_BYTES)
    say(AGENT, Phase.THINK, f"Counting the files of workspace {workspace}")
    total = count_files(root)
    say(
        AGENT,
        Phase.THINK,
        f"Taking an inventory of {count(total, 'file')}",
        data={"total": total},
    )
    inventory = Inventory(limit)
    meter = ProgressMeter(AGENT, total, unit="files")
    for entry in walk(root):
        if entry.symlink:
            if inventory.skip(entry.path, "symbolic link, not followed"):
                say(
                    AGENT,
                    Phase.PROGRESS,
                    f"Skipped {entry.path}: a symbolic link is never followed",
                )
        else:
            lines = None
            if entry.size > limit:
                reason = f"larger than the {limit}-byte limit: counted by size only"
                if inventory.skip(entry.path, reason, entry.size):
                    say(
                        AGENT,
                        Phase.PROGRESS,
                        f"Skipped {entry.path} ({entry.size} bytes): {reason}",
                    )
            else:
                try:
                    lines = count_lines(entry)
                except OSError as exc:
                    reason = f"unreadable ({exc.strerror or exc})"
                    if inventory.skip(entry.path, reason, entry.size):
                        say(AGENT, Phase.PROGRESS, f"Skipped {entry.path}: {reason}")
            inventory.add(entry, lines)
        meter.advance(f"Scanned {meter.done + 1:,} of {count(meter.total, 'file')}")
    data = inventory.as_data(workspace)
    if inventory.skipped.more:
        say(
            AGENT,
            Phase.PROGRESS,
            f"Skipped {count(inventory.skipped.more, 'more file')} (see the inventory)",
        )
    return data


def research(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: take the inventory of the session's workspace."""
    data = take_inventory(Path(state["workspace"]), state.get("workspace_name", ""))
    languages = ", ".join(row["language"] for row in data["languages"][:3]) or "none"
    say(
        AGENT,
        Phase.RESULT,
        f"{count(data['files'], 'file')}, {count(data['bytes'], 'byte')}; mostly {languages}",
        pct=1.0,
        data=data,
    )
    return {"inventory": data}
