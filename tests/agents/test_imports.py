"""A module's imports from `ast` (where each runs, its line) and how an import resolves."""

from __future__ import annotations

import pytest

from agents.imports import Import, classify_external, parse_source, resolve

KNOWN = {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.deep", "nsp", "nsp.inner", "typing"}
TOPS = {"pkg", "nsp", "typing"}


def _resolve(source: str, name: str, package: str | None):
    found = [
        resolve(i, importer=name, package=package, known=KNOWN, tops=TOPS)
        for i in parse_source(source, path="x.py").imports
    ]
    return (
        {f.internal for f in found if f.internal},
        {f.external for f in found if f.external},
        {f.unresolved for f in found if f.unresolved},
    )


def test_an_import_names_the_module_or_its_parent_and_nothing_further_up():
    """grimp's rule: `import a.b.c` and `from a.b import c` lead to `a.b.c` if it is a module,
    else to `a.b`; an import of a name two levels below any module leads nowhere."""
    internal, external, unresolved = _resolve(
        "import pkg.a\nimport pkg.sub.deep.attr\nfrom pkg import b, nothing\n"
        "import pkg.a.x.y\nimport os.path\nimport nsp\n",
        "pkg.sub.deep",
        "pkg.sub",
    )
    assert internal == {"pkg.a", "pkg.sub.deep", "pkg.b", "pkg", "nsp"}
    assert external == {"os"}
    assert unresolved == {"pkg.a.x.y"}


def test_relative_imports_resolve_from_the_package_at_every_level():
    internal, _, unresolved = _resolve(
        "from . import deep\nfrom .. import a\nfrom ..b import f\nfrom ... import gone\n",
        "pkg.sub.deep",
        "pkg.sub",
    )
    assert internal == {"pkg.sub.deep", "pkg.a", "pkg.b"}
    assert unresolved == {"..."}
    internal, _, _ = _resolve("from . import a\nfrom .sub import deep\n", "pkg", "pkg")
    assert internal == {"pkg.a", "pkg.sub.deep"}
    _, _, unresolved = _resolve("from . import x\n", "script", None)
    assert unresolved == {"."}


def test_a_workspace_module_named_like_the_standard_library_does_not_capture_it():
    """`typing` is a workspace module here; `import typing` still means the standard library."""
    internal, external, _ = _resolve(
        "import typing\nfrom typing import TYPE_CHECKING\n", "pkg.a", "pkg"
    )
    assert internal == set()
    assert external == {"typing"}


def test_each_import_keeps_its_line_and_where_it_runs():
    source = (
        "from __future__ import annotations\n"
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import pkg.a\n"
        "else:\n"
        "    import pkg.b\n"
        "class K:\n"
        "    import pkg.sub\n"
        "def f():\n"
        "    import json\n"
        "    if TYPE_CHECKING:\n"
        "        import nsp\n"
        "handler = lambda: __import__('x')\n"
    )
    found = {i.module: (i.line, i.context) for i in parse_source(source, path="m.py").imports}
    assert found == {
        "__future__": (1, "module"),
        "os": (2, "module"),
        "typing": (3, "module"),
        "pkg.a": (5, "type_checking"),
        "pkg.b": (7, "module"),
        "pkg.sub": (9, "module"),
        "json": (11, "function"),
        "nsp": (13, "type_checking"),
    }


def test_definitions_main_blocks_and_lines_are_recorded():
    source = (
        "X: int = 1\nclass Cart:\n    def add(self):\n        def inner(): pass\n"
        "async def run():\n    y = 2\nif __name__ == '__main__':\n    run()"
    )
    parsed = parse_source(source, path="m.py")
    assert parsed.definitions == [
        ("X", 1, "variable"),
        ("Cart", 2, "class"),
        ("Cart.add", 3, "method"),
        ("run", 5, "function"),
    ]
    assert parsed.main_guard is True
    assert parsed.lines == 8
    assert parse_source(b"import os\n", path="m.py").imports == [Import("os", 0, None, 1, "module")]


@pytest.mark.parametrize(
    ("source", "line"),
    [("x = 1\ndef (:\n", 2), ("a = 1\nb = 2\nc = '\x00'\n", 3)],
)
def test_a_module_that_does_not_parse_raises_syntax_error_with_its_line(source, line):
    with pytest.raises(SyntaxError) as raised:
        parse_source(source, path="m.py")
    assert raised.value.lineno == line


def test_external_names_split_into_stdlib_and_third_party_without_main_or_future():
    names = {"os", "requests", "json", "__future__", "__main__", "annotationlib", "django"}
    assert classify_external(names) == (["annotationlib", "json", "os"], ["django", "requests"])
