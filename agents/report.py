"""The Markdown report, section by section: the answer first, then the overview.

Every number the report prints is a value found in the research, architect or compile data (the
reviewer checks it); names of files and modules are untrusted text, so they are always written as
escaped code spans (`agents.markup`). Tables and lists are capped at `REPORT_ROWS` rows so a
report stays small whatever the workspace, and a list that was cut says so ("25 of 140"); a
list of problem files that was cut ends with a `MORE` line giving the total.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.conf import conf
from agents.markup import code, plain
from agents.wording import count, listing, noun, number, of

Facts = dict[str, Any]

PARSE_HEADING = "## Files that do not parse"
COMPILE_HEADING = "## Files that do not compile"
#: How a cut list's last line starts: "- … and more: 6,000 files in all do not parse."
MORE = "- … and more: "
#: Members of an import cycle named in the overview's cycle section.
CYCLE_MEMBERS = 8

__all__ = ["COMPILE_HEADING", "MORE", "PARSE_HEADING", "SECTIONS", "code", "join", "plain"]


def _more(total: int, shown: int, what: str) -> list[str]:
    """Return the `MORE` line of a list that shows `shown` of `total` items ([] if all)."""
    return [f"{MORE}{number(total)} {what}."] if total > shown else []


def _rows() -> int:
    return int(conf.REPORT_ROWS)


def header(facts: Facts) -> str:
    query = facts["query"].splitlines() or [""]
    quoted = "\n".join(f"> {plain(line)}" if line.strip() else ">" for line in query)
    return f"# Workspace report: {code(facts['inventory']['workspace'])}\n\n{quoted}"


def answer(facts: Facts) -> str:
    return str(facts.get("answer") or "")


def overview(facts: Facts) -> str:
    inv, graph = facts["inventory"], facts["graph"]
    prose = facts.get("prose")
    if prose:
        return f"## Overview\n\n{plain(prose)}"
    text = (
        f"The workspace holds {count(inv['files'], 'file')} ({count(inv['bytes'], 'byte')}, "
        f"{count(inv['lines'], 'line')}) in {count(inv['language_count'], 'language')}. "
        f"Its {count(graph['module_count'], 'Python module')} "
        f"{noun(graph['module_count'], 'makes', 'make')} "
        f"{count(graph['edge_count'], 'import')} of one another, with "
        f"{count(graph['cycle_count'], 'import cycle')}."
    )
    if graph.get("namespace_count"):
        folders = graph["namespace_count"]
        text += f" {count(folders, 'folder')} without `__init__.py` "
        text += f"{noun(folders, 'is a namespace package', 'are namespace packages')}."
    return f"## Overview\n\n{text}"


def kinds(facts: Facts) -> str:
    rows = [
        f"| {r['kind']} | {number(r['files'])} | {number(r['lines'])} | {number(r['bytes'])} "
        f"| {r['share']}% |"
        for r in facts["inventory"].get("kinds", [])
    ]
    if not rows:
        return ""
    head = "| Kind | Files | Lines | Bytes | Share of bytes |\n|---|---:|---:|---:|---:|"
    return "## Kinds of files\n\n" + "\n".join([head, *rows])


def languages(facts: Facts) -> str:
    inv = facts["inventory"]
    shown = inv["languages"][: _rows()]
    rows = [
        f"| {plain(r['language'])} | {number(r['files'])} | {number(r['lines'])} "
        f"| {number(r['bytes'])} | {r['share']}% |"
        for r in shown
    ]
    head = "| Language | Files | Lines | Bytes | Share of bytes |\n|---|---:|---:|---:|---:|"
    cut = (
        f"\n\n{of(len(shown), inv['language_count'])} languages shown."
        if len(shown) < inv["language_count"]
        else ""
    )
    return "## Languages\n\n" + "\n".join([head, *rows]) + cut


def largest(facts: Facts) -> str:
    inv = facts["inventory"]
    rows = [f"| {code(r['path'])} | {number(r['bytes'])} |" for r in inv["largest_files"]]
    if not rows:
        return "## Largest files\n\nThe workspace has no files."
    title = f"The largest {of(len(rows), inv['files'])} files:" if inv["files"] > 1 else "The file:"
    return f"## Largest files\n\n{title}\n\n| File | Bytes |\n|---|---:|\n" + "\n".join(rows)


def modules(facts: Facts) -> str:
    graph = facts["graph"]
    if not graph["module_count"]:
        return "## Python modules\n\nThe workspace has no Python modules that parse."
    files = [m for m in graph["modules"] if m["kind"] != "namespace"]
    busiest = sorted(files, key=lambda m: (-m["fan_in"], -m["fan_out"], m["name"]))
    shown = busiest[: _rows()]
    head = (
        "| Module | File | Lines | Imports (fan-out) | Imported by (fan-in) |\n"
        "|---|---|---:|---:|---:|"
    )
    rows = [
        f"| {code(m['name'])} | {code(m['path'])} | {number(m['lines'])} | {m['fan_out']} "
        f"| {m['fan_in']} |"
        for m in shown
    ]
    title = "The module:"
    if len(busiest) > 1:
        title = f"The most imported {of(len(shown), len(busiest))} modules:"
    return f"## Python modules\n\n{title}\n\n" + "\n".join([head, *rows])


def cycles(facts: Facts) -> str:
    found = facts["graph"]["cycles"]
    if not found:
        return "## Import cycles\n\nNone: the import graph has no cycles."
    lines = []
    for cycle in found[: _rows()]:
        if len(cycle) == 2:
            lines.append(f"- {' ⇄ '.join(code(name) for name in cycle)}")
        else:
            members = listing([code(m) for m in cycle[:CYCLE_MEMBERS]], len(cycle))
            lines.append(f"- {count(len(cycle), 'module')}: {members}")
    title = (
        f"Groups of modules that import one another, directly or not "
        f"({of(len(lines), len(found))}, largest first):"
    )
    return f"## Import cycles\n\n{title}\n\n" + "\n".join(lines)


def external(facts: Facts) -> str:
    graph = facts["graph"]
    parts = []
    for title, key in (("Standard library", "stdlib"), ("Third party", "third_party")):
        shown = graph[key][: _rows()]
        names = ", ".join(f"{code(p['name'])} ({p['modules']})" for p in shown)
        total = graph.get(f"{key}_count", len(graph[key]))
        parts.append(f"- {title} ({of(len(shown), total)}): {names or 'none'}")
    return "## External imports\n\nPackages, with the number of modules importing each:\n\n" + (
        "\n".join(parts)
    )


def _failure_lines(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"- {code(r['path'])}"
        + (f", line {r['line']}" if r.get("line") else "")
        + f": {plain(r['message'])}"
        for r in rows
    ]


def problems(facts: Facts) -> str:
    """The files that do not parse (architect) and, after a review, those that parse but do not
    compile (reviewer), each file once: the first `REPORT_ROWS` of each, then the total."""
    parts = []
    graph = facts["graph"]
    errors = graph["parse_errors"][: _rows()]
    if errors:
        total = graph.get("parse_error_count", len(errors))
        lines = [*_failure_lines(errors), *_more(total, len(errors), "files in all do not parse")]
        parts.append(f"{PARSE_HEADING}\n\n" + "\n".join(lines))
    failures = (facts.get("compile_failures") or [])[: _rows()]
    if failures:
        total = facts.get("compile_failure_count", len(failures))
        lines = [
            *_failure_lines(failures),
            *_more(total, len(failures), "files in all do not compile"),
        ]
        parts.append(
            f"{COMPILE_HEADING}\n\n"
            "Found by the reviewer: these parse, but Python refuses to compile them.\n\n"
            + "\n".join(lines)
        )
    return "\n\n".join(parts)


def skipped(facts: Facts) -> str:
    lines = []
    for agent, data in (("research", facts["inventory"]), ("architect", facts["graph"])):
        notes = data["skipped"]
        lines += [f"- {code(n['path'])}: {plain(n['reason'])}" for n in notes]
        total = data.get("skipped_count", len(notes))
        lines += _more(total, len(notes), f"files in all skipped by {agent}")
    if not lines:
        return ""
    return "## Skipped files\n\n" + "\n".join(lines)


SECTIONS: list[tuple[str, Callable[[Facts], str]]] = [
    ("title", header),
    ("answer", answer),
    ("overview", overview),
    ("kinds of files", kinds),
    ("languages", languages),
    ("largest files", largest),
    ("modules", modules),
    ("import cycles", cycles),
    ("external imports", external),
    ("problems", problems),
    ("skipped files", skipped),
]


def join(sections: list[str]) -> str:
    """Return the report from its rendered sections (empty ones left out)."""
    return "\n\n".join(s for s in sections if s) + "\n"
