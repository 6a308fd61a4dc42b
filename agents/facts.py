"""The facts that answer a question, computed from the survey's data (no prose).

`facts_for` returns plain data: the modules, numbers and imports the answer may name, lists cut
to `rows` items beside their totals. `scope_of` returns every module the question is about (the
whole closure, not only the rows shown), which the reviewer holds an answer's module names to.
Codesmith renders the facts (`agents.answer`); the reviewer computes them again to check it.
"""

from __future__ import annotations

import difflib
from typing import Any

from agents.cycles import breakers, strongly_connected, within
from agents.file_kinds import is_test
from agents.import_graph import ImportGraph
from agents.questions import CAN_ANSWER, Question

#: Components whose breaking imports are looked for, in an answer about cycles.
CYCLES_SHOWN = 5
MEMBERS_SHOWN = 8


def _importer_rows(g: ImportGraph, name: str, names: list[str], *, upstream: bool) -> list[Any]:
    rows = []
    for other in names:
        importer, imported = (other, name) if upstream else (name, other)
        rows.append(
            {
                "module": other,
                "line": g.line_of(importer, imported),
                "kind": g.kind_of_edge(importer, imported),
            }
        )
    return rows


def _subject(g: ImportGraph, question: Question) -> dict[str, Any] | str:
    """Return the module the question means, or the facts that say it is not one."""
    matches = g.find(question.subject or "")
    if matches:
        return matches[0] if len(matches) == 1 else {"found": False, "candidates": matches}
    tails = {name.rpartition(".")[2]: name for name in g.rows}
    close = difflib.get_close_matches((question.subject or "").rpartition(".")[2], tails, n=5)
    return {"found": False, "candidates": [], "close": [tails[c] for c in close]}


def _reach(g: ImportGraph, question: Question, rows: int, *, upstream: bool) -> dict[str, Any]:
    subject = _subject(g, question)
    if not isinstance(subject, str):
        return {"subject": question.subject, **subject}
    reach = g.reach(subject, upstream=upstream)
    direct = sorted(n for n, depth in reach.items() if depth == 1)
    further = sorted((n for n, d in reach.items() if d > 1), key=lambda n: (reach[n], n))
    kinds = {"module": 0, "function": 0, "type_checking": 0}
    for row in _importer_rows(g, subject, direct, upstream=upstream):
        kinds[row["kind"]] += 1
    chains = [
        g.chain(n, subject) if upstream else g.chain(subject, n) for n in further[: min(rows, 3)]
    ]
    row = g.rows[subject]
    facts = {
        "found": True,
        "subject": question.subject,
        "module": subject,
        "path": row["path"],
        "direct": _importer_rows(g, subject, direct[:rows], upstream=upstream),
        "direct_count": len(direct),
        "direct_kinds": kinds,
        "transitive": [{"module": n, "depth": reach[n]} for n in further[:rows]],
        "transitive_count": len(further),
        "total_count": len(reach),
        "chains": chains,
        "in_cycle": len(g.component(subject)),
    }
    if not upstream:
        facts["external"] = row["external"]
    else:
        facts["tests_count"] = sum(1 for n in reach if is_test(g.rows[n]["path"]))
    return facts


def _component(g: ImportGraph, members: list[str]) -> dict[str, Any]:
    sub = within(g.imports, members)
    runtime = {m: {t for t in ts if g.kind_of_edge(m, t) == "module"} for m, ts in sub.items()}
    left = strongly_connected(runtime)
    return {
        "size": len(members),
        "modules": members[:MEMBERS_SHOWN],
        "edges": sum(len(ts) for ts in sub.values()),
        "lazy": sum(1 for m, ts in sub.items() for t in ts if g.kind_of_edge(m, t) == "function"),
        "type_only": sum(
            1 for m, ts in sub.items() for t in ts if g.kind_of_edge(m, t) == "type_checking"
        ),
        "import_time_largest": len(left[0]) if left else 0,
        "breakers": breakers(sub),
    }


def _cycles(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    cycles = g.data["cycles"]
    facts: dict[str, Any] = {
        "cycle_count": len(cycles),
        "import_time_cycle_count": g.data["import_time_cycle_count"],
        "modules_in_cycles": sum(len(c) for c in cycles),
    }
    if question.subject:
        subject = _subject(g, question)
        if not isinstance(subject, str):
            return facts | {"subject": question.subject, **subject}
        members = g.component(subject)
        facts |= {"found": True, "subject": question.subject, "module": subject}
        return facts | {"components": [_component(g, members)] if members else []}
    return facts | {"components": [_component(g, c) for c in cycles[:CYCLES_SHOWN]]}


def _central(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    ranked = g.central()
    shown = min(rows, 10)
    return {
        "central": [
            {
                "module": r["name"],
                "fan_in": r["fan_in"],
                "dependents": len(g.reach(r["name"], upstream=True)),
                "importers": sorted(g.importers[r["name"]])[:3],
            }
            for r in ranked[:shown]
        ],
        "imported_count": len(ranked),
    }


def _largest(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    ranked = g.largest()
    return {
        "largest": [
            {"module": r["name"], "path": r["path"], "lines": r["lines"], "fan_in": r["fan_in"]}
            for r in ranked[: min(rows, 10)]
        ],
        "file_module_count": len(ranked),
    }


def _entry_points(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    entries = g.data["entry_points"]
    return {"entry_points": entries[:rows], "entry_point_count": len(entries)}


def _unused(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    found = g.unused()
    return {
        **{key: names[:rows] for key, names in found.items()},
        **{f"{key}_count": len(names) for key, names in found.items()},
    }


def _definition(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    found = g.definitions(question.subject or "")
    facts: dict[str, Any] = {
        "subject": question.subject,
        "definitions": found[:rows],
        "definition_count": len(found),
    }
    if not found:
        every = {d[0] for row in g.files() for d in row["definitions"]}
        facts["close"] = difflib.get_close_matches(question.subject or "", every, n=5)
    return facts


def _third_party(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    used = {p["name"]: p for p in g.data["third_party"]}
    declared = g.data["project"]["dependencies"]
    covered = {name for dep in declared for name in dep["imports"]}
    return {
        "third_party": list(used.values())[:rows],
        "third_party_count": len(used),
        "declared": [
            {"name": d["name"], "group": d["group"], "source": d["source"]} for d in declared
        ][:rows],
        "declared_count": len(declared),
        "declaration_files": g.data["project"]["files"],
        "undeclared": sorted(n for n in used if n not in covered),
        "unused_declared": [d["name"] for d in declared if not set(d["imports"]) & set(used)],
    }


def _overview(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    return {
        "module_count": g.data["module_count"],
        "edge_count": g.data["edge_count"],
        "cycle_count": g.data["cycle_count"],
        "central": _central(g, question, 3)["central"],
        "largest": _largest(g, question, 1)["largest"],
        "third_party_count": g.data["third_party_count"],
        "entry_point_count": len(g.data["entry_points"]),
    }


def _unknown(g: ImportGraph, question: Question, rows: int) -> dict[str, Any]:
    return {"can_answer": CAN_ANSWER}


_HANDLERS = {
    "dependents": lambda g, q, r: _reach(g, q, r, upstream=True),
    "dependencies": lambda g, q, r: _reach(g, q, r, upstream=False),
    "cycles": _cycles,
    "central": _central,
    "largest": _largest,
    "entry_points": _entry_points,
    "unused": _unused,
    "definition": _definition,
    "third_party": _third_party,
    "overview": _overview,
}


def facts_for(question: Question, graph: dict[str, Any], rows: int) -> dict[str, Any]:
    """Return the facts answering `question` from the architect's `graph` (lists cut to `rows`)."""
    g = ImportGraph(graph)
    handler = _HANDLERS.get(question.kind, _unknown)
    return {"kind": question.kind, "module_count": graph["module_count"]} | handler(
        g, question, rows
    )


def scope_of(question: Question, graph: dict[str, Any]) -> set[str]:
    """Return every module `question` is about: those an answer to it may name."""
    g = ImportGraph(graph)
    if question.kind in {"dependents", "dependencies", "cycles"} and question.subject:
        subject = _subject(g, question)
        if not isinstance(subject, str):
            return set(subject.get("candidates", [])) | set(subject.get("close", []))
        if question.kind == "cycles":
            return {subject, *g.component(subject)}
        return {subject, *g.reach(subject, upstream=question.kind == "dependents")}
    if question.kind == "cycles":
        return {m for cycle in graph["cycles"] for m in cycle}
    if question.kind == "entry_points":
        return {e["module"] for e in graph["entry_points"]}
    if question.kind == "unused":
        return {m for names in g.unused().values() for m in names}
    if question.kind == "definition":
        return {d["module"] for d in g.definitions(question.subject or "")}
    if question.kind == "third_party":
        third_party = {p["name"] for p in graph["third_party"]}
        return {row["name"] for row in g.files() if third_party & set(row["external"])}
    if question.kind == "unknown":
        return set()
    return set(g.rows)
