"""Answers about the workspace's parts: the largest modules, entry points, modules nothing
imports, where a name is defined, third-party packages, the overview, and the question the data
cannot answer. Each function writes one answer's body from its facts (`agents.facts`)."""

from __future__ import annotations

from typing import Any

from agents.answers.graph import close
from agents.markup import code
from agents.wording import count, listing, noun, shown


def largest(facts: dict[str, Any]) -> str:
    """Return the largest modules by lines."""
    rows = [
        f"- {code(r['module'])} ({code(r['path'])}): {count(r['lines'], 'line')}, imported by "
        f"{count(r['fan_in'], 'module')}"
        for r in facts["largest"]
    ]
    if not rows:
        return "The workspace has no Python modules that parse."
    total = facts["file_module_count"]
    return f"The largest modules by lines{shown(len(rows), total)}:\n\n" + "\n".join(rows)


def _entry(row: dict[str, Any]) -> str:
    if row["how"] == "console script":
        script, module = code(row["script"]), code(row["module"])
        if not row["found"]:
            return f"- console script {script} names {module}, which is not in the workspace"
        return f"- console script {script}, which runs {module}"
    text = {"__main__ module": "run with `python -m`", "manage.py": "Django's command line"}
    why = text.get(row["how"], 'a `__name__ == "__main__"` block')
    return f"- {code(row['module'])} ({code(row['path'])}): {why}"


def entry_points(facts: dict[str, Any]) -> str:
    """Return where the workspace starts."""
    total = facts["entry_point_count"]
    if not total:
        return "None found: no console script, `__main__` module, main block or manage.py."
    rows = [_entry(r) for r in facts["entry_points"]]
    head = f"The workspace starts in {count(total, 'place')}{shown(len(rows), total)}:"
    return f"{head}\n\n" + "\n".join(rows)


def unused(facts: dict[str, Any]) -> str:
    """Return the modules nothing imports, entry points and tests apart."""
    total = facts["unused_count"]
    names = [code(m) for m in facts["unused"]]
    if total:
        text = (
            f"{count(total, 'module')} {noun(total, 'is', 'are')} imported by no other module of "
            f"the workspace, and {noun(total, 'is', 'are')} neither an entry point nor a test "
            f"{shown(len(names), total)}:\n\n" + "\n".join(f"- {n}" for n in names)
        )
    else:
        text = "Every module is imported by another, or is an entry point or a test."
    roots = []
    for key, label in (("entry_points", "entry point"), ("tests", "test module")):
        total_of = facts[f"{key}_count"]
        if total_of:
            listed = listing([code(m) for m in facts[key]], total_of)
            roots.append(f"{count(total_of, label)} ({listed})")
    if roots:
        text += f"\n\nImported by none either, as expected: {listing(roots)}."
    return text


def definition(facts: dict[str, Any]) -> str:
    """Return where a name is defined."""
    total = facts["definition_count"]
    if not total:
        subject = code(facts["subject"] or "")
        return f"No module defines {subject} at its top level or as a method.{close(facts)}"
    rows = [
        f"- {d['kind']} {code(d['name'])} in {code(d['module'])} "
        f"({code(d['path'])}, line {d['line']})"
        for d in facts["definitions"]
    ]
    places = f"{count(total, 'place')}{shown(len(rows), total)}"
    head = f"{code(facts['subject'])} is defined in {places}:"
    return f"{head}\n\n" + "\n".join(rows)


def third_party(facts: dict[str, Any]) -> str:
    """Return the third-party packages against what the workspace declares."""
    total = facts["third_party_count"]
    rows = [
        f"- {code(p['name'])}: {count(p['modules'], 'module')} "
        f"({listing([code(m) for m in p['importers']], p['modules'])})"
        for p in facts["third_party"]
    ]
    parts = [
        f"The workspace imports {count(total, 'third-party package')}{shown(len(rows), total)}:\n\n"
        + "\n".join(rows)
        if rows
        else "The workspace imports no third-party package."
    ]
    declared = facts["declared_count"]
    if not facts["declaration_files"]:
        parts.append(
            "It declares no dependencies: no pyproject.toml, setup.cfg, setup.py or "
            "requirements file at its root lists any."
        )
        return "\n\n".join(parts)
    files = listing([code(f) for f in facts["declaration_files"]])
    parts.append(f"It declares {count(declared, 'dependency')} (in {files}).")
    for key, label in (
        ("undeclared", "Imported but not declared"),
        ("unused_declared", "Declared but never imported"),
    ):
        names = [code(n) for n in facts[key]]
        parts.append(f"{label}: {listing(names) if names else 'none'}.")
    return "\n\n".join(parts)


def overview(facts: dict[str, Any]) -> str:
    """Return a short overview, for a question asking for one."""
    central = [f"{code(r['module'])} ({count(r['fan_in'], 'importer')})" for r in facts["central"]]
    text = (
        f"The workspace holds {count(facts['module_count'], 'Python module')}, making "
        f"{count(facts['edge_count'], 'import')} of one another, with "
        f"{count(facts['cycle_count'], 'import cycle')}."
    )
    if central:
        text += f" The most imported: {listing(central)}."
    if facts["largest"]:
        big = facts["largest"][0]
        text += f" The largest: {code(big['module'])} ({count(big['lines'], 'line')})."
    text += (
        f" It imports {count(facts['third_party_count'], 'third-party package')} and starts in "
        f"{count(facts['entry_point_count'], 'place')}. The sections below give the details."
    )
    return text


def unknown(facts: dict[str, Any]) -> str:
    """Return the plain sentence for a question the data cannot answer."""
    return (
        "The survey cannot answer this from its data: it knows the workspace's files and its "
        "Python modules, what they define and how they import one another, nothing more. It can "
        f"answer: {'; '.join(facts['can_answer'])}. The overview of the workspace follows."
    )
