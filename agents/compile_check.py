"""The reviewer's compile check: every Python file that parses must compile, or be listed.

`compile_all` compiles each file (`compile()` also refuses what `ast.parse` lets through, such
as a `return` outside a function) and keeps the first failures in walk order beside their count;
a file that does not even parse is counted apart, the architect reports it. `compile_findings`
says what the report's "Files that do not compile" section gets wrong about them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from agents.answer_review import NUMBER, canonical
from agents.conf import conf
from agents.files import FileEntry, read_bytes
from agents.imports import silenced
from agents.notes import MAX_NOTES, Capped, say
from agents.progress import ProgressMeter
from agents.report import COMPILE_HEADING, MORE
from streaming import Phase

AGENT = "reviewer"


@dataclass
class Compiled:
    """What compiling a workspace's Python files found: the first failures (in walk order)
    and their count, the files that could not be read, how many were compiled, and how many do
    not even parse (the architect reports those)."""

    failures: Capped[dict[str, Any]]
    unreadable: Capped[dict[str, Any]]
    compiled: int = 0
    unparsed: int = 0


def _parses(source: bytes) -> bool:
    try:
        with silenced():
            ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def compile_all(
    entries: Iterable[FileEntry], *, keep: int, meter: ProgressMeter | None = None
) -> Compiled:
    """Compile each of `entries`; keep the first `keep` failures, count them all.

    A file that does not parse is not a compile failure (it is counted in `unparsed`). Files over
    the size limit are not compiled; files that cannot be read (unreadable, or gone since they
    were listed) are noted (the first `MAX_NOTES` with an event) and counted, never a reason to
    stop.
    """
    limit = int(conf.MAX_FILE_BYTES)
    found = Compiled(failures=Capped(keep), unreadable=Capped(MAX_NOTES))
    for entry in entries:
        try:
            source = read_bytes(entry, limit)
        except OSError as exc:
            source = None
            reason = f"unreadable ({exc.strerror or exc}): not compiled"
            if found.unreadable.add({"path": entry.path, "reason": reason, "bytes": entry.size}):
                say(AGENT, Phase.PROGRESS, f"Skipped {entry.path}: {reason}")
        if source is not None:
            found.compiled += 1
            try:
                with silenced():
                    compile(source, entry.path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                if not _parses(source):
                    found.unparsed += 1
                else:
                    line = getattr(exc, "lineno", None)
                    message = getattr(exc, "msg", None) or str(exc)
                    found.failures.add({"path": entry.path, "line": line, "message": message})
        if meter is not None:
            meter.advance(f"Compiled {entry.path}")
    return found


def compile_section(report: str) -> str:
    """Return the text of the report's "Files that do not compile" section ("" if none)."""
    if COMPILE_HEADING not in report:
        return ""
    return report.partition(COMPILE_HEADING)[2].split("\n## ", 1)[0]


def listed_compile_failures(report: str) -> set[str]:
    """Return the file names listed in the report's "Files that do not compile" section."""
    names = set()
    for line in compile_section(report).splitlines():
        match = re.match(r"- (`+) ?(.*?) ?\1", line)
        if match:
            names.add(match.group(2).replace("\\|", "|"))
    return names


def stated_compile_count(report: str) -> str | None:
    """Return the total the compile section states for the failures it does not list, if any."""
    for line in compile_section(report).splitlines():
        if line.startswith(MORE):
            numbers = NUMBER.findall(line)
            return numbers[0] if numbers else None
    return None


def compile_findings(report: str, compiled: Compiled) -> Iterator[dict[str, Any]]:
    """Yield what the report gets wrong about compile failures: one of the first failures it
    does not list, or (when it lists only the first) a missing or wrong total."""
    listed = listed_compile_failures(report)
    for failure in compiled.failures.items:
        if failure["path"] not in listed:
            where = f", line {failure['line']}" if failure["line"] else ""
            yield {
                "kind": "compile_failure_missing",
                "path": failure["path"],
                "detail": f"{failure['path']} does not compile ({failure['message']}{where}) "
                "and the report does not say so",
            }
    if compiled.failures.more:
        stated = stated_compile_count(report)
        if stated is None or canonical(stated) != str(compiled.failures.count):
            yield {
                "kind": "compile_count_wrong",
                "number": stated,
                "detail": f"{compiled.failures.count} files do not compile; the report lists "
                f"{len(compiled.failures.items)} and "
                + (f"says {stated} in all" if stated else "does not give the total"),
            }
