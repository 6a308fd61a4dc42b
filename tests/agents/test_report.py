"""The report's sections: numbers in agreement with their nouns, cut lists that say so."""

from __future__ import annotations

from agents import report


def _facts(files: int, modules: int, stdlib: int) -> dict:
    rows = [
        {"name": f"m{i}", "path": f"m{i}.py", "kind": "module", "lines": 1, "fan_in": 0}
        | {"fan_out": 0}
        for i in range(modules)
    ]
    return {
        "query": "Map it",
        "inventory": {
            "workspace": "w",
            "files": files,
            "bytes": 1,
            "lines": 1,
            "language_count": 1,
            "languages": [],
            "largest_files": [{"path": f"m{i}.py", "bytes": 1} for i in range(min(files, 10))],
        },
        "graph": {
            "modules": rows,
            "module_count": modules,
            "edge_count": 0,
            "cycle_count": 0,
            "cycles": [],
            "stdlib": [{"name": f"s{i}", "modules": 1} for i in range(stdlib)],
            "stdlib_count": stdlib,
            "third_party": [],
            "third_party_count": 0,
        },
    }


def test_one_of_everything_is_said_in_the_singular():
    facts = _facts(files=1, modules=1, stdlib=1)
    assert "holds 1 file (1 byte, 1 line) in 1 language. Its 1 Python module makes 0 imports" in (
        report.overview(facts)
    )
    assert "The file:" in report.largest(facts)
    assert "The module:" in report.modules(facts)


def test_every_cut_list_says_how_much_of_it_is_shown():
    facts = _facts(files=40, modules=30, stdlib=140)
    assert "The largest 10 of 40 files:" in report.largest(facts)
    assert "The most imported 25 of 30 modules:" in report.modules(facts)
    assert "- Standard library (25 of 140): `s0` (1)" in report.external(facts)
    assert "- Third party (0): none" in report.external(facts)
