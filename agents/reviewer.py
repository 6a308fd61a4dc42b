"""The reviewer agent: checks the report against the data it claims to come from.

Two checks, both real: every number in the report's text (outside code spans and the quoted
query) must be a value found in the research, architect or compile data; and every Python file of
the workspace must compile (`compile()`, which also refuses what `ast.parse` lets through, such as
a `return` outside a function), or be listed under "Files that do not compile" (the first
``AGENTSTREAM_REPORT_ROWS`` of them, in walk order, then their total). A failed review sends the
work back to the supervisor with its findings; the supervisor allows that once. A file that cannot
be read is noted, not a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.conf import conf
from agents.files import FileEntry, python_files, read_text
from agents.notes import MAX_NOTES, Capped, say
from agents.progress import ProgressMeter
from agents.report import COMPILE_HEADING, MORE
from agents.state import WorkflowState
from streaming import Phase

AGENT = "reviewer"
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
CODE_SPAN = re.compile(r"(`+).*?\1")
_UNNAMED = frozenset({"path", "name", "workspace", "imports", "module", "import"})
#: Findings kept in the review's data (a report can have many untraceable numbers).
MAX_FINDINGS = 50


def canonical(token: str) -> str:
    """Return a number as the reviewer compares it: no thousands separators, no trailing zeros."""
    value = float(token.replace(",", ""))
    return str(int(value)) if value.is_integer() else repr(value)


def traceable_numbers(*sources: Any) -> set[str]:
    """Return every number in the data: numeric values, and numbers inside messages and reasons."""
    found: set[str] = set()
    stack: list[tuple[str, Any]] = [("", source) for source in sources]
    while stack:
        key, value = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            found.add(canonical(repr(value)))
        elif isinstance(value, str) and key not in _UNNAMED:
            found.update(canonical(t) for t in NUMBER.findall(value))
        elif isinstance(value, dict):
            stack.extend(value.items())
        elif isinstance(value, list | tuple):
            stack.extend((key, item) for item in value)
    return found


def numbers_in(report: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, token) for each number in the report's own text."""
    for lineno, line in enumerate(report.splitlines(), start=1):
        if line.startswith(">"):  # the user's query, quoted: not the report's claim
            continue
        for token in NUMBER.findall(CODE_SPAN.sub("", line)):
            yield lineno, token


@dataclass
class Compiled:
    """What compiling a workspace's Python files found: the first failures (in walk order)
    and their count, the files that could not be read, and how many were compiled."""

    failures: Capped[dict[str, Any]]
    unreadable: Capped[dict[str, Any]]
    compiled: int = 0


def compile_all(
    entries: Iterable[FileEntry], *, keep: int, meter: ProgressMeter | None = None
) -> Compiled:
    """Compile each of `entries`; keep the first `keep` failures, count them all.

    Files over the size limit are not compiled; files that cannot be read (unreadable, or gone
    since they were listed) are noted (the first `MAX_NOTES` with an event) and counted, never a
    reason to stop.
    """
    limit = int(conf.MAX_FILE_BYTES)
    found = Compiled(failures=Capped(keep), unreadable=Capped(MAX_NOTES))
    for entry in entries:
        try:
            source = read_text(entry, limit)
        except OSError as exc:
            source = None
            reason = f"unreadable ({exc.strerror or exc}): not compiled"
            if found.unreadable.add({"path": entry.path, "reason": reason, "bytes": entry.size}):
                say(AGENT, Phase.PROGRESS, f"Skipped {entry.path}: {reason}")
        if source is not None:
            found.compiled += 1
            try:
                compile(source, entry.path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                line = getattr(exc, "lineno", None) or 0
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
            yield {
                "kind": "compile_failure_missing",
                "path": failure["path"],
                "detail": f"{failure['path']} does not compile ({failure['message']}, "
                f"line {failure['line']}) and the report does not say so",
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


def review(state: WorkflowState) -> dict[str, Any]:
    """Check the report in `state`; return the review as data (approved, findings, failures).

    Every list in it is capped (`MAX_FINDINGS`, ``AGENTSTREAM_REPORT_ROWS`` failures,
    `MAX_NOTES` unreadable files) and counted (`finding_count`, `compile_failure_count`, …):
    the review travels in an event.
    """
    report = state["report"]
    root = Path(state["workspace"])
    tokens = list(numbers_in(report))
    total_files = int(state["inventory"]["python_files"])
    meter = ProgressMeter(AGENT, len(tokens) + total_files, unit="checks")
    say(
        AGENT,
        Phase.THINK,
        f"Checking {len(tokens)} numbers against the data and compiling {total_files} files",
    )
    rows = int(conf.REPORT_ROWS)
    compiled = compile_all(python_files(root), keep=rows, meter=meter)
    compile_data = {
        "compile_failures": compiled.failures.items,
        "compile_failure_count": compiled.failures.count,
    }
    known = traceable_numbers(state["inventory"], state["graph"], compile_data)
    findings: Capped[dict[str, Any]] = Capped(MAX_FINDINGS)
    untraceable: set[str] = set()
    for lineno, token in tokens:
        if canonical(token) not in known:
            untraceable.add(token)
            findings.add(
                {"kind": "untraceable_number", "number": token, "line": lineno}
                | {"detail": f"line {lineno} says {token}, which no data holds"}
            )
        meter.advance(f"Checked the number {token} on line {lineno}")
    for finding in compile_findings(report, compiled):
        findings.add(finding)
    return {
        "approved": not findings.count,
        "findings": findings.items,
        "finding_count": findings.count,
        "untraceable": sorted(untraceable),
        **compile_data,
        "skipped": compiled.unreadable.items,
        "skipped_count": compiled.unreadable.count,
        "numbers_checked": len(tokens),
        "files_compiled": compiled.compiled,
        "version": state.get("report_version", 1),
    }


def reviewer(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: review the latest draft and report the verdict."""
    result = review(state)
    if result["approved"]:
        msg = (
            f"Approved: {result['numbers_checked']} numbers trace to the data and every "
            "Python file compiles or is listed"
        )
    else:
        count = result["finding_count"]
        msg = f"Sending the report back: {count} problem{'s' if count != 1 else ''} found"
    if result["skipped_count"]:
        msg += f"; {result['skipped_count']} unreadable Python files were not compiled"
    say(AGENT, Phase.RESULT, msg, pct=1.0, data=result)
    return {"review": result}
