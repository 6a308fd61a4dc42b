"""The reviewer's check of the answer: it leads the report, and everything it names traces.

The facts are computed again from the architect's data (`agents.facts`), and every tool call a
model made is run again (`agents.tools`): a number in the answer must be one of theirs (a value,
or the length of a list), a name in a code span must be one of their strings, a module it names
must be one the question is about, and every import written ``a`` → ``b`` must be in the graph.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from agents.answers import ANSWER_HEADING
from agents.facts import facts_for, scope_of
from agents.import_graph import ImportGraph
from agents.markup import unquote
from agents.questions import Question
from agents.tools import run_tool

NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_NAME_LIKE = re.compile(r"^[\w.\-/:]+$")
_ARROW = re.compile(r"^\s*→\s*$")
#: Code spans the answer's own sentences use, which are not claims about the workspace.
VOCABULARY = frozenset({"__main__", "__init__.py", "TYPE_CHECKING", "__name__"})


def canonical(token: str) -> str:
    """Return a number as the reviewer compares it: no thousands separators, no trailing zeros."""
    value = float(token.replace(",", ""))
    return str(int(value)) if value.is_integer() else repr(value)


def answer_section(report: str) -> str | None:
    """Return the text under the report's ``## Answer`` heading, or None when it has none."""
    if f"\n{ANSWER_HEADING}\n" not in f"\n{report}":
        return None
    return f"\n{report}".split(f"\n{ANSWER_HEADING}\n", 1)[1].split("\n## ", 1)[0]


def leads(report: str) -> bool:
    """Return True when ``## Answer`` is the report's first section."""
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    return bool(headings) and headings[0] == ANSWER_HEADING


def without_answer(report: str) -> str:
    """Return the report with its answer section's lines blanked (line numbers kept)."""
    section = answer_section(report)
    if section is None:
        return report
    head, _, rest = f"\n{report}".partition(f"\n{ANSWER_HEADING}\n")
    blank = "\n" * section.count("\n")
    return (head + f"\n{ANSWER_HEADING}\n" + blank + rest[len(section) :])[1:]


def _walk(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def evidence(
    question: Question, graph: dict[str, Any], rows: int, calls: list[dict[str, Any]]
) -> tuple[set[str], set[str], set[str]]:
    """Return (numbers, names, modules in scope) an answer to `question` may state."""
    sources: list[Any] = [facts_for(question, graph, rows)]
    sources += [run_tool(graph, c.get("tool", ""), c.get("args")) for c in calls]
    numbers: set[str] = set()
    names: set[str] = set(VOCABULARY)
    for item in _walk(sources):
        if isinstance(item, bool):
            continue
        if isinstance(item, int | float):
            numbers.add(canonical(repr(item)))
        elif isinstance(item, list):
            numbers.add(str(len(item)))
        elif isinstance(item, str):
            names.add(item)
            names.add(item.partition(":")[0])  # a console script's target, module:function
    modules = {row["name"] for row in graph["modules"]}
    return numbers, names, scope_of(question, graph) | (names & modules)


def _finding(kind: str, line: int, detail: str, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "line": line, "detail": detail, **more}


def check_answer(
    report: str,
    question: Question,
    graph: dict[str, Any],
    *,
    rows: int,
    calls: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Return what is wrong with the report's answer (an empty list when nothing is)."""
    section = answer_section(report)
    if section is None:
        return [_finding("answer_missing", 0, f"the report has no {ANSWER_HEADING} section")]
    findings = []
    if not leads(report):
        findings.append(_finding("answer_not_first", 0, "the answer does not lead the report"))
    first = report.splitlines().index(ANSWER_HEADING) + 1
    numbers, names, scope = evidence(question, graph, rows, calls or [])
    g = ImportGraph(graph)
    for offset, line in enumerate(section.splitlines()):
        lineno = first + offset
        if line.startswith("Question understood as:"):
            continue  # the supervisor's reading of the question, not a claim about the data
        spans = list(CODE_SPAN.finditer(line))
        for token in NUMBER.findall(CODE_SPAN.sub("", line)):
            if canonical(token) not in numbers:
                findings.append(
                    _finding(
                        "untraceable_number",
                        lineno,
                        f"line {lineno} of the answer says {token}, which the facts do not hold",
                        number=token,
                    )
                )
        for span in spans:
            name = unquote(span.group(0))
            if not _NAME_LIKE.match(name) or (name in names and name not in g.rows):
                continue  # a snippet of code, or a name the facts hold that is not a module
            if name in g.rows and name not in scope:
                findings.append(
                    _finding(
                        "answer_off_question",
                        lineno,
                        f"the answer names {name}, which the question is not about",
                        name=name,
                    )
                )
            elif name not in g.rows and name not in names:
                findings.append(
                    _finding(
                        "answer_unknown_name",
                        lineno,
                        f"the answer names {name}, which the data does not hold",
                        name=name,
                    )
                )
        for before, after in itertools.pairwise(spans):
            between = line[before.end() : after.start()]
            importer, imported = unquote(before.group(0)), unquote(after.group(0))
            if _ARROW.match(between) and imported not in g.imports.get(importer, ()):
                findings.append(
                    _finding(
                        "answer_wrong_import",
                        lineno,
                        f"the answer says {importer} imports {imported}; the graph has no "
                        "such import",
                        importer=importer,
                        imported=imported,
                    )
                )
    return findings
