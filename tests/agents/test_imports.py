"""The import graph's pure parts: module names, import resolution, cycles."""

from __future__ import annotations

import pytest

from agents.imports import (
    classify_external,
    module_name,
    parse_module,
    resolve,
    strongly_connected,
)

PACKAGES = {"pkg", "pkg/sub", "src/lib"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pkg/__init__.py", ("pkg", True)),
        ("pkg/a.py", ("pkg.a", False)),
        ("pkg/sub/__init__.py", ("pkg.sub", True)),
        ("pkg/sub/deep.py", ("pkg.sub.deep", False)),
        ("src/lib/x.py", ("lib.x", False)),  # src layout: named from the package's top
        ("scripts/tool.py", ("scripts.tool", False)),  # no package: named by its path
        ("setup.py", ("setup", False)),
    ],
)
def test_module_names_follow_the_package_chain(path, expected):
    assert module_name(path, PACKAGES) == expected


def _resolve(source: str, name: str, known: set[str], *, is_package: bool = False):
    info = parse_module(source, name=name, path="x.py", is_package=is_package)
    return resolve(info, known)


KNOWN = {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.deep"}


def test_absolute_imports_resolve_to_the_longest_known_module():
    internal, external, unresolved = _resolve(
        "import pkg.a\nimport pkg.sub.deep.attr\nfrom pkg import b, nothing\nimport os.path\n",
        "pkg.sub.deep",
        KNOWN,
    )
    assert internal == {"pkg.a", "pkg.b", "pkg"}
    assert external == {"os"}
    assert unresolved == set()


def test_relative_imports_resolve_from_the_module_or_package():
    internal, _, unresolved = _resolve(
        "from . import deep\nfrom .. import a\nfrom ..b import f\nfrom ... import gone\n",
        "pkg.sub.deep",
        KNOWN,
    )
    assert internal == {"pkg.a", "pkg.b"}  # `from . import deep` is the module itself
    assert unresolved == {"..."}
    internal, _, _ = _resolve(
        "from . import a\nfrom .sub import deep\n", "pkg", KNOWN, is_package=True
    )
    assert internal == {"pkg.a", "pkg.sub.deep"}


def test_imports_inside_functions_and_type_checking_blocks_count():
    internal, _, _ = _resolve(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"
        "def f():\n    import pkg.b\n",
        "pkg.sub",
        KNOWN,
    )
    assert internal == {"pkg.a", "pkg.b"}


def test_a_module_that_does_not_parse_raises_syntax_error():
    with pytest.raises(SyntaxError):
        parse_module("def (:\n", name="m", path="m.py", is_package=False)


def test_cycles_are_the_strongly_connected_components():
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},
        "d": set(),
        "e": {"f"},
        "f": {"e"},
        "g": {"g", "outside"},
    }
    assert strongly_connected(graph) == [["a", "b", "c"], ["e", "f"]]


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    graph = {f"m{i}": {f"m{i + 1}"} for i in range(5000)}
    graph["m5000"] = {"m0"}
    [cycle] = strongly_connected(graph)
    assert len(cycle) == 5001


def test_external_names_split_into_stdlib_and_third_party():
    assert classify_external(["os", "requests", "json", "__future__", "django"]) == (
        ["__future__", "json", "os"],
        ["django", "requests"],
    )
