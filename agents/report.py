"""The Markdown report, section by section, from the research and architect data.

Every number the report prints is a value found in that data (the reviewer checks it); names of
files and modules are untrusted text, so they are always written as escaped code spans. Tables and
lists are capped at `REPORT_ROWS` rows so a report stays small whatever the workspace; a list that
was cut ends with a `MORE` line giving the total, which is in the data too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agents.conf import conf

Facts = dict[str, Any]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

COMPILE_HEADING = "## Files that do not compile"
#: How a cut list's last line starts: "- … and more: 6,000 files in all do not parse."
MORE = "- … and more: "


def code(text: str) -> str:
    """Return `text` as a Markdown code span that no file name can break out of."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """Return untrusted text for a line of Markdown: control characters shown, not obeyed."""
    return _CONTROL.sub(" ", text).strip()


def _n(value: int) -> str:
    return f"{value:,}"


def _more(count: int, shown: int, what: str) -> list[str]:
    """Return the `MORE` line of a list that shows `shown` of `count` items ([] if all)."""
    return [f"{MORE}{_n(count)} {what}."] if count > shown else []


def header(facts: Facts) -> str:
    query = facts["query"].splitlines() or [""]
    quoted = "\n".join(f"> {plain(line)}" if line.strip() else ">" for line in query)
    return f"# Workspace report: {code(facts['inventory']['workspace'])}\n\n{quoted}"


def overview(facts: Facts) -> str:
    inv, graph = facts["inventory"], facts["graph"]
    prose = facts.get("prose")
    if prose:
        return f"## Overview\n\n{plain(prose)}"
    return (
        "## Overview\n\n"
        f"The workspace holds {_n(inv['files'])} files ({_n(inv['bytes'])} bytes, "
        f"{_n(inv['lines'])} lines) in {inv['language_count']} languages. "
        f"Its {graph['module_count']} Python modules make {graph['edge_count']} imports "
        f"of one another, with {graph['cycle_count']} import "
        f"{'cycle' if graph['cycle_count'] == 1 else 'cycles'}."
    )


def languages(facts: Facts) -> str:
    rows = [
        f"| {plain(r['language'])} | {_n(r['files'])} | {_n(r['lines'])} | {_n(r['bytes'])} "
        f"| {r['share']}% |"
        for r in facts["inventory"]["languages"][: _rows()]
    ]
    head = "| Language | Files | Lines | Bytes | Share of bytes |\n|---|---:|---:|---:|---:|"
    return "## Languages\n\n" + "\n".join([head, *rows])


def largest(facts: Facts) -> str:
    rows = [
        f"| {code(r['path'])} | {_n(r['bytes'])} |" for r in facts["inventory"]["largest_files"]
    ]
    if not rows:
        return "## Largest files\n\nThe workspace has no files."
    return "## Largest files\n\n| File | Bytes |\n|---|---:|\n" + "\n".join(rows)


def modules(facts: Facts) -> str:
    graph = facts["graph"]
    if not graph["modules"]:
        return "## Python modules\n\nThe workspace has no Python modules that parse."
    busiest = sorted(graph["modules"], key=lambda m: (-m["fan_in"], -m["fan_out"], m["name"]))
    shown = busiest[: _rows()]
    head = (
        "| Module | File | Lines | Imports (fan-out) | Imported by (fan-in) |\n"
        "|---|---|---:|---:|---:|"
    )
    rows = [
        f"| {code(m['name'])} | {code(m['path'])} | {_n(m['lines'])} | {m['fan_out']} "
        f"| {m['fan_in']} |"
        for m in shown
    ]
    text = "## Python modules\n\n" + "\n".join([head, *rows])
    if len(busiest) > len(shown):
        text += "\n\nThe remaining modules, imported by fewer others, are in the architect's data."
    return text


def cycles(facts: Facts) -> str:
    found = facts["graph"]["cycles"]
    if not found:
        return "## Import cycles\n\nNone: the import graph has no cycles."
    lines = [f"- {' ⇄ '.join(code(name) for name in cycle)}" for cycle in found[: _rows()]]
    return "## Import cycles\n\nModules that import one another, directly or not:\n\n" + "\n".join(
        lines
    )


def external(facts: Facts) -> str:
    graph = facts["graph"]
    parts = []
    for title, key in (("Standard library", "stdlib"), ("Third party", "third_party")):
        names = ", ".join(f"{code(p['name'])} ({p['modules']})" for p in graph[key][: _rows()])
        parts.append(f"- {title}: {names or 'none'}")
    return "## External imports\n\nPackages, with the number of modules importing each:\n\n" + (
        "\n".join(parts)
    )


def _failure_lines(rows: list[dict[str, Any]]) -> list[str]:
    return [f"- {code(r['path'])}, line {r['line']}: {plain(r['message'])}" for r in rows]


def problems(facts: Facts) -> str:
    """The files that do not parse (architect) and, after a review, do not compile (reviewer):
    the first `REPORT_ROWS` of each, then the total."""
    parts = []
    graph = facts["graph"]
    errors = graph["parse_errors"][: _rows()]
    if errors:
        count = graph.get("parse_error_count", len(errors))
        lines = [*_failure_lines(errors), *_more(count, len(errors), "files in all do not parse")]
        parts.append("## Files that do not parse\n\n" + "\n".join(lines))
    failures = (facts.get("compile_failures") or [])[: _rows()]
    if failures:
        count = facts.get("compile_failure_count", len(failures))
        lines = [
            *_failure_lines(failures),
            *_more(count, len(failures), "files in all do not compile"),
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
        count = data.get("skipped_count", len(notes))
        lines += _more(count, len(notes), f"files in all skipped by {agent}")
    if not lines:
        return ""
    return "## Skipped files\n\n" + "\n".join(lines)


def _rows() -> int:
    return int(conf.REPORT_ROWS)


SECTIONS: list[tuple[str, Callable[[Facts], str]]] = [
    ("title", header),
    ("overview", overview),
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
