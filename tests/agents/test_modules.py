"""Module names as Python imports them: packages, namespace packages, src/ layouts, scripts,
and a workspace that is itself a package folder."""

from __future__ import annotations

import pytest

from agents.import_map import Tree, build_map, name_modules
from agents.imports import parse_source
from agents.modules import Layout, infer_root_package

PACKAGES = {"pkg", "pkg/sub", "src/lib"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pkg/__init__.py", ("pkg", "package")),
        ("pkg/a.py", ("pkg.a", "module")),
        ("pkg/sub/deep.py", ("pkg.sub.deep", "module")),
        ("pkg/sub/__main__.py", ("pkg.sub.__main__", "module")),
        ("src/lib/x.py", ("lib.x", "module")),  # src layout: src/ is a source root
        ("scripts/tool.py", ("scripts.tool", "module")),  # `scripts` is a namespace package
        ("ns/inner/leaf.py", ("ns.inner.leaf", "module")),
        ("setup.py", ("setup", "module")),
        ("migrations/0001_initial.py", ("migrations.0001_initial", "module")),
        ("my-tools/run.py", ("my-tools/run.py", "script")),  # no import statement names it
        ("pkg/some.module.py", ("pkg/some.module.py", "script")),
    ],
)
def test_files_are_named_from_their_source_root(path, expected):
    naming = Layout(PACKAGES, has_src=True).naming(path)
    assert (naming.name, naming.kind) == expected


def test_folders_without_init_holding_python_files_are_namespace_packages():
    layout = Layout(PACKAGES, has_src=True)
    paths = ["pkg/a.py", "ns/inner/leaf.py", "scripts/tool.py", "src/lib/x.py", "my-tools/run.py"]
    assert layout.namespace_packages(paths) == {
        "ns": "ns/",
        "ns.inner": "ns/inner/",
        "scripts": "scripts/",
    }


def _tree(files: dict[str, str], name: str = "ws") -> Tree:
    sources = {path: parse_source(text, path=path) for path, text in files.items()}
    packages = {path.rpartition("/")[0] or "." for path in files if path.endswith("__init__.py")}
    return Tree(sources, packages, any(p.startswith("src/") for p in files), name)


def test_a_workspace_that_is_a_namespace_package_folder_is_named_by_its_own_imports():
    """LangGraph's folder as the workspace: `from langgraph.types import …` in its files says
    the root is `langgraph`, so `types.py` is `langgraph.types`, never the stdlib's `types`."""
    tree = _tree(
        {
            "types.py": "import typing\n",
            "constants.py": "from langgraph.types import X\n",
            "pregel/__init__.py": "from langgraph.constants import A\nfrom . import main\n",
            "pregel/main.py": "from langgraph.types import Y\nimport types\n",
        },
        name="whatever",
    )
    _, names, namespaces = name_modules(tree)
    assert {n.name for n in names.values()} == {
        "langgraph.types",
        "langgraph.constants",
        "langgraph.pregel",
        "langgraph.pregel.main",
    }
    assert namespaces == {"langgraph": "./"}
    graph = build_map(tree)
    edges = {(m["name"], t) for m in graph["modules"] for t in m["imports"]}
    assert edges == {
        ("langgraph.constants", "langgraph.types"),
        ("langgraph.pregel", "langgraph.constants"),
        ("langgraph.pregel", "langgraph.pregel.main"),
        ("langgraph.pregel.main", "langgraph.types"),
    }
    assert [p["name"] for p in graph["stdlib"]] == ["types", "typing"]
    assert graph["root_package"] == "langgraph"


def test_a_root_package_without_self_imports_takes_the_workspace_name():
    tree = _tree({"__init__.py": "from . import a\n", "a.py": "x = 1\n"}, name="mypkg")
    graph = build_map(tree)
    assert {m["name"]: m["imports"] for m in graph["modules"]} == {
        "mypkg": ["mypkg.a"],
        "mypkg.a": [],
    }


def test_root_package_inference_needs_most_imports_to_name_workspace_modules():
    known = {"utils", "utils.text", "views"}
    few = [("views", "django.utils.text")]
    assert infer_root_package(few, known) is None  # one module is not enough
    mixed = [(m, t) for m in ("views", "utils") for t in ("django.utils.text", "django.db.models")]
    assert infer_root_package(mixed, known) is None  # half of django.* names nothing here
    mine = [("views", "app.utils.text"), ("utils", "app.views")]
    assert infer_root_package(mine, known) == "app"


def test_a_script_imports_its_neighbours_by_their_bare_names():
    """A script's folder is on sys.path when it runs: `import helper` is the file beside it
    (but `import json` is still the standard library's, even with a json.py beside it)."""
    graph = build_map(
        _tree(
            {
                "scripts/run.py": "import helper\nimport json\nimport requests\n",
                "scripts/helper.py": "x = 1\n",
                "scripts/json.py": "y = 2\n",
            }
        )
    )
    rows = {m["name"]: m for m in graph["modules"]}
    assert rows["scripts.run"]["imports"] == ["scripts.helper"]
    assert rows["scripts.run"]["external"] == ["json", "requests"]


def test_two_files_claiming_one_name_keep_it_for_the_first_and_are_told_apart():
    graph = build_map(_tree({"lib/a.py": "", "src/lib/a.py": "", "src/lib/__init__.py": ""}))
    names = sorted(m["name"] for m in graph["modules"] if m["kind"] != "namespace")
    assert names == ["lib", "lib.a", "src/lib/a.py"]
