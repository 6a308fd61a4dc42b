"""The reviewer agent: checks the report against the data it claims to come from.

Two checks, both real: every number in the report's text (outside code spans and the quoted
query) must be a value found in the research, architect or compile data; and every Python file of
the workspace must compile (`compile()`, which also refuses what `ast.parse` lets through, such as
a `return` outside a function), or be listed under "Files that do not compile". A failed review
sends the work back to the supervisor with its findings; the supervisor allows that once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agents.conf import agent_settings
from agents.files import python_files, read_text
from agents.progress import ProgressMeter
from agents.report import COMPILE_HEADING
from agents.state import WorkflowState
from streaming import Event, Phase, emit_sync

AGENT = "reviewer"
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
CODE_SPAN = re.compile(r"(`+).*?\1")
_UNNAMED = frozenset({"path", "name", "workspace", "imports", "module", "import"})


def _say(phase: Phase, msg: str, **kwargs: Any) -> None:
    emit_sync(Event.for_agent(AGENT, phase, msg, **kwargs))


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


def compile_failures(root: Path, meter: ProgressMeter | None = None) -> list[dict[str, Any]]:
    """Compile every Python file under `root`; return those that fail, with line and message."""
    limit = int(agent_settings.MAX_FILE_BYTES)
    failures = []
    for entry in python_files(root):
        source = read_text(entry, limit)
        if source is not None:
            try:
                compile(source, entry.path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                line = getattr(exc, "lineno", None) or 0
                message = getattr(exc, "msg", None) or str(exc)
                failures.append({"path": entry.path, "line": line, "message": message})
        if meter is not None:
            meter.advance(f"Compiled {entry.path}")
    return failures


def listed_compile_failures(report: str) -> set[str]:
    """Return the file names listed in the report's "Files that do not compile" section."""
    section = report.partition(COMPILE_HEADING)[2].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        match = re.match(r"- (`+) ?(.*?) ?\1", line)
        if match:
            names.add(match.group(2).replace("\\|", "|"))
    return names


def review(state: WorkflowState) -> dict[str, Any]:
    """Check the report in `state`; return the review as data (approved, findings, failures)."""
    report = state["report"]
    root = Path(state["workspace"])
    tokens = list(numbers_in(report))
    total_files = int(state["inventory"]["python_files"])
    meter = ProgressMeter(AGENT, len(tokens) + total_files, unit="checks")
    _say(
        Phase.THINK,
        f"Checking {len(tokens)} numbers against the data and compiling {total_files} files",
    )
    failures = compile_failures(root, meter)
    known = traceable_numbers(state["inventory"], state["graph"], failures)
    findings: list[dict[str, Any]] = []
    untraceable: list[str] = []
    for lineno, token in tokens:
        if canonical(token) not in known:
            untraceable.append(token)
            findings.append(
                {"kind": "untraceable_number", "number": token, "line": lineno}
                | {"detail": f"line {lineno} says {token}, which no data holds"}
            )
        meter.advance(f"Checked the number {token} on line {lineno}")
    listed = listed_compile_failures(report)
    for failure in failures:
        if failure["path"] not in listed:
            findings.append(
                {
                    "kind": "compile_failure_missing",
                    "path": failure["path"],
                    "detail": f"{failure['path']} does not compile ({failure['message']}, "
                    f"line {failure['line']}) and the report does not say so",
                }
            )
    return {
        "approved": not findings,
        "findings": findings,
        "untraceable": sorted(set(untraceable)),
        "compile_failures": failures,
        "numbers_checked": len(tokens),
        "files_compiled": total_files,
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
        count = len(result["findings"])
        msg = f"Sending the report back: {count} problem{'s' if count != 1 else ''} found"
    _say(Phase.RESULT, msg, pct=1.0, data=result)
    return {"review": result}
