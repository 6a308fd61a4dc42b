"""The reviewer agent: checks the report against the data it claims to come from.

Three checks, all real. The answer leads the report and traces: its numbers, names and imports
are those of the facts computed again from the data (`agents.answer_review`). Every other number
in the report's text (outside code spans and the quoted query) is a value found in the research,
architect or compile data, or the length of one of its lists. Every Python file that parses must
compile (`compile()`, which also refuses what `ast.parse` lets through, such as a `return`
outside a function), or be listed under "Files that do not compile" (the first
``AGENTSTREAM_REPORT_ROWS`` of them, in walk order, then their total); a file that does not even
parse is the architect's to report, once, under "Files that do not parse". A failed review sends
the work back to the supervisor with its findings; the supervisor allows that once. A file that
cannot be read is noted, not a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agents.answer_review import CODE_SPAN, NUMBER, canonical, check_answer, without_answer
from agents.compile_check import (
    Compiled,
    compile_all,
    compile_findings,
    listed_compile_failures,
    stated_compile_count,
)
from agents.conf import conf
from agents.files import python_files
from agents.notes import Capped, say
from agents.progress import ProgressMeter
from agents.questions import recorded
from agents.state import WorkflowState
from agents.wording import count
from streaming import Phase

AGENT = "reviewer"
#: Keys whose strings are names (of files, modules, packages), not sentences with numbers.
_UNNAMED = frozenset(
    {
        "path",
        "name",
        "workspace",
        "imports",
        "module",
        "import",
        "importers",
        "lazy",
        "type_only",
        "external",
        "definitions",
        "cycles",
        "script",
        "target",
        "group",
        "source",
        "files",
    }
)
#: Findings kept in the review's data (a report can have many untraceable numbers).
MAX_FINDINGS = 50


__all__ = [
    "Compiled",
    "canonical",
    "compile_all",
    "compile_findings",
    "listed_compile_failures",
    "numbers_in",
    "review",
    "reviewer",
    "stated_compile_count",
    "traceable_numbers",
]


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


def list_lengths(*sources: Any) -> set[str]:
    """Return the length of every list in the data ("the 25 of 140 shown" names one)."""
    found: set[str] = set()
    stack: list[Any] = list(sources)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            found.add(str(len(value)))
            stack.extend(value)
    return found


def numbers_in(report: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, token) for each number in the report's own text."""
    for lineno, line in enumerate(report.splitlines(), start=1):
        if line.startswith(">"):  # the user's query, quoted: not the report's claim
            continue
        for token in NUMBER.findall(CODE_SPAN.sub("", line)):
            yield lineno, token


def review(state: WorkflowState) -> dict[str, Any]:
    """Check the report in `state`; return the review as data (approved, findings, failures).

    Every list in it is capped (`MAX_FINDINGS`, ``AGENTSTREAM_REPORT_ROWS`` failures,
    `MAX_NOTES` unreadable files) and counted (`finding_count`, `compile_failure_count`, …):
    the review travels in an event.
    """
    report = state["report"]
    root = Path(state["workspace"])
    tokens = list(numbers_in(without_answer(report)))
    total_files = int(state["inventory"]["python_files"])
    meter = ProgressMeter(AGENT, len(tokens) + total_files + 1, unit="checks")
    say(
        AGENT,
        Phase.THINK,
        f"Checking the answer, {count(len(tokens), 'number')} against the data and compiling "
        f"{count(total_files, 'file')}",
    )
    rows = int(conf.REPORT_ROWS)
    compiled = compile_all(python_files(root), keep=rows, meter=meter)
    compile_data = {
        "compile_failures": compiled.failures.items,
        "compile_failure_count": compiled.failures.count,
    }
    sources = (state["inventory"], state["graph"], compile_data)
    known = traceable_numbers(*sources) | list_lengths(*sources)
    findings: Capped[dict[str, Any]] = Capped(MAX_FINDINGS)
    untraceable: set[str] = set()
    answer = check_answer(
        report,
        recorded(state.get("query", ""), state.get("question")),
        state["graph"],
        rows=rows,
        calls=state.get("answer_calls"),
    )
    for finding in answer:
        findings.add(finding)
    meter.advance("Checked the answer")
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
        "answer_findings": [f for f in answer[:MAX_FINDINGS]],
        "answer_finding_count": len(answer),
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
            f"Approved: the answer and {count(result['numbers_checked'], 'number')} trace to "
            "the data, and every Python file compiles or is listed"
        )
    else:
        msg = f"Sending the report back: {count(result['finding_count'], 'problem')} found"
    if result["skipped_count"]:
        msg += f"; {count(result['skipped_count'], 'unreadable Python file')} not compiled"
    say(AGENT, Phase.RESULT, msg, pct=1.0, data=result)
    return {"review": result}
