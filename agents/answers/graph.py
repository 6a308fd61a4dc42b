"""Answers about the import graph: what depends on a module, what it depends on, the cycles,
the central modules. Each function writes one answer's body from its facts (`agents.facts`)."""

from __future__ import annotations

from typing import Any

from agents.markup import code
from agents.wording import count, listing, noun, number, of, shown

_HOW = {"function": " (inside a function)", "type_checking": " (for type checkers only)"}


def edge(importer: str, imported: str) -> str:
    """Return an import as the answer writes it (and the reviewer reads it): `a` → `b`."""
    return f"{code(importer)} → {code(imported)}"


def _line(row: dict[str, Any]) -> str:
    return f", line {row['line']}" if row.get("line") else ""


def close(facts: dict[str, Any]) -> str:
    """Return the sentence naming the close matches of a subject that matched nothing."""
    names = [code(c) for c in facts.get("close") or []]
    return f" Close names: {listing(names, conjunction='or')}." if names else ""


def not_found(facts: dict[str, Any]) -> str:
    """Return the answer when the subject names no module, or several."""
    subject = code(facts["subject"] or "")
    candidates = facts.get("candidates") or []
    if candidates:
        names = listing([code(c) for c in candidates[:10]], len(candidates))
        return (
            f"{subject} names {count(len(candidates), 'module')}: {names}. "
            "Ask again with the full dotted name or the file's path."
        )
    return f"No module of the workspace matches {subject}.{close(facts)}"


def reach(facts: dict[str, Any], upstream: bool) -> str:
    """Return what depends on a module (`upstream`) or what it depends on, with the evidence."""
    if not facts.get("found"):
        return not_found(facts)
    name = facts["module"]
    direct, further = facts["direct_count"], facts["transitive_count"]
    if upstream:
        total = facts["total_count"]
        head = (
            f"{code(name)} ({code(facts['path'])}) is imported directly by "
            f"{count(direct, 'module')} and, through them, by {number(further)} more: "
            f"{count(total, 'module')} {noun(total, 'depends', 'depend')} on it in all."
        )
        if not facts["total_count"]:
            head = f"No module of the workspace imports {code(name)} ({code(facts['path'])})."
    else:
        head = (
            f"{code(name)} ({code(facts['path'])}) imports {count(direct, 'workspace module')} "
            f"directly and {number(further)} more through them: it depends on "
            f"{number(facts['total_count'])} in all."
        )
    parts = [head]
    if facts["direct"]:
        title = "Imported directly by" if upstream else "Imports directly"
        lines = []
        for row in facts["direct"]:
            pair = edge(row["module"], name) if upstream else edge(name, row["module"])
            lines.append(f"- {pair}{_line(row)}{_HOW.get(row['kind'], '')}")
        parts.append(f"{title}{shown(len(lines), direct)}:\n\n" + "\n".join(lines))
    if facts["transitive"]:
        rows = [
            f"- {code(r['module'])}, {count(r['depth'], 'import')} away"
            for r in facts["transitive"]
        ]
        title = "Through other modules" if upstream else "Through the modules it imports"
        parts.append(f"{title}{shown(len(rows), further)}:\n\n" + "\n".join(rows))
    chains = [" → ".join(code(m) for m in chain) for chain in facts["chains"] if chain]
    if chains:
        parts.append("For example: " + "; ".join(chains) + ".")
    if facts["in_cycle"]:
        parts.append(f"{code(name)} is in an import cycle of {count(facts['in_cycle'], 'module')}.")
    tests = facts.get("tests_count", 0)
    if upstream and tests:
        parts.append(f"{number(tests)} of them {noun(tests, 'is a test', 'are tests')}.")
    if not upstream and facts.get("external"):
        names = [code(n) for n in facts["external"]]
        parts.append(f"Outside the workspace it imports {listing(names)}.")
    return "\n\n".join(parts)


def _component(row: dict[str, Any]) -> str:
    members = listing([code(m) for m in row["modules"]], row["size"])
    imports = count(row["edges"], "import")
    text = f"- **{count(row['size'], 'module')}**: {members}; {imports} inside"
    kinds = []
    if row["lazy"]:
        kinds.append(f"{number(row['lazy'])} inside functions")
    if row["type_only"]:
        kinds.append(f"{number(row['type_only'])} for type checkers only")
    text += f" ({', '.join(kinds)})" if kinds else ""
    if row["import_time_largest"]:
        largest = count(row["import_time_largest"], "module")
        text += f"; at import time its largest cycle holds {largest}"
    else:
        text += "; at import time it is no cycle"
    cuts = []
    for cut in row["breakers"]:
        left = cut["largest_left"]
        effect = "breaks it" if left <= 1 else f"leaves at most {number(left)} in one cycle"
        cuts.append(f"removing {edge(cut['importer'], cut['imported'])} {effect}")
    return text + (". " + "; ".join(cuts).capitalize() + "." if cuts else ".")


def cycles(facts: dict[str, Any]) -> str:
    """Return the import cycles (or the subject's), each with the imports that split it most."""
    if facts.get("subject"):
        if not facts.get("found"):
            return not_found(facts)
        if not facts["components"]:
            return f"{code(facts['module'])} is in no import cycle."
        return f"{code(facts['module'])} is in an import cycle:\n\n" + _component(
            facts["components"][0]
        )
    total = facts["cycle_count"]
    if not total:
        return "None: no modules of the workspace import one another, directly or not."
    head = (
        f"The import graph has {count(total, 'import cycle')} (groups of modules that import "
        f"one another, directly or not), holding {count(facts['modules_in_cycles'], 'module')}; "
        f"{number(facts['import_time_cycle_count'])} remain when imports inside functions and "
        "for type checkers only are left out."
    )
    rows = [_component(row) for row in facts["components"]]
    which = f"The largest {of(len(rows), total)}" if len(rows) < total else "Each of them"
    title = f"{which}, with the imports whose removal splits it most:"
    return f"{head}\n\n{title}\n\n" + "\n".join(rows)


def central(facts: dict[str, Any]) -> str:
    """Return the most imported modules, with how many depend on each."""
    rows = [
        f"- {code(r['module'])}: imported by {count(r['fan_in'], 'module')} directly, "
        f"{number(r['dependents'])} in all; its importers: "
        f"{listing([code(m) for m in r['importers']], r['fan_in'])}"
        for r in facts["central"]
    ]
    if not rows:
        return "No module of the workspace imports another: none is central."
    total = facts["imported_count"]
    head = f"The most imported modules ({of(len(rows), total)} that something imports):"
    return f"{head}\n\n" + "\n".join(rows)
