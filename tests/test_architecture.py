"""The shape of the code: no import circle, a log that names nothing above it, layers enforced.

import-linter's contracts (``[tool.importlinter]`` in pyproject.toml, run by .ci/run) keep the
rooms in order; these tests cover what a contract does not say, and prove the layers contract
can fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import grimp
import pytest
from django.conf import settings as django_settings

from agents.survey import SURVEY
from streaming.log.conf import LogSettings

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "streaming" / "log"
PACKAGES = ("streaming", "agents", "project")

#: Words the log must not say: a workflow, an agent of the survey, the agents package, the runs'
#: leases and workspaces. `supervisor` is absent on purpose: `supervisor_event` and the agent
#: name "supervisor" belong to the event format; so is `workspace` (a Session column).
FORBIDDEN_IN_LOG = {
    "research",
    "architect",
    "codesmith",
    "reviewer",
    "survey",
    "lease",
    "sample",
} | {lane.name for lane in SURVEY.lanes if lane.name != "supervisor"}
FORBIDDEN_PHRASES_IN_LOG = ("agents.", "workspace_root")


def strongly_connected(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Return the graph's strongly connected components (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges.get(target, ())))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Return each import circle: a component of two or more modules, or a self-import."""
    return [
        component
        for component in strongly_connected(edges)
        if len(component) > 1 or component[0] in edges[component[0]]
    ]


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["e"]]


def test_no_import_cycle_between_modules():
    # Every import grimp sees counts: inside functions and under TYPE_CHECKING too, and a
    # package's `__init__` re-exporting its submodules is an edge like any other (none of
    # those closes a circle today, so no edge is left out).
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    assert len(edges) > 50, "the graph should hold the project's modules"
    found = cycles(edges)
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def forbidden_words(text: str) -> set[str]:
    """Return the forbidden words and phrases `text` contains (case-insensitive)."""
    lowered = text.lower()
    # Whole words, with `_` as a separator too (`lease_owner` says lease, `release` does not);
    # a plural counts as its word.
    words = set(re.findall(r"[a-z]+", lowered))
    found = {word for word in FORBIDDEN_IN_LOG if word in words or f"{word}s" in words}
    found |= {phrase for phrase in FORBIDDEN_PHRASES_IN_LOG if phrase in lowered}
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lease_owner = models.CharField()", {"lease"}),
        ('"agents.survey.SURVEY"', {"agents.", "survey"}),
        ("AGENTSTREAM_WORKSPACE_ROOT", {"workspace_root"}),
        ("Reviewers and Sample", {"reviewer", "sample"}),
        ("self._in_flight.release()  # supervisor_event, workspace", set()),
    ],
)
def test_forbidden_words_are_found(text, expected):
    assert forbidden_words(text) == expected


def test_the_log_names_no_workflow_agent_or_lease():
    # Migrations are left out: they are the schema's history, and 0002 has to name the lease
    # columns it removes (they moved to the runs room). The models they build are read here.
    files = [
        path
        for path in sorted(LOG.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and "migrations" not in path.parts
    ]
    assert LOG / "models.py" in files
    offences = {
        str(path.relative_to(ROOT)): sorted(words)
        for path in files
        if (words := forbidden_words(path.read_text(encoding="utf-8")))
    }
    assert not offences, f"streaming/log names what lives above it: {offences}"


def flatten(value: Any) -> Iterator[Any]:
    """Yield `value` and, for a mapping or a collection, everything inside it."""
    yield value
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from flatten(key)
            yield from flatten(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from flatten(item)


DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
#: A default naming any of these (even "supervisor") would pick our workflow for every project.
AGENT_NAMES = {lane.name for lane in SURVEY.lanes} | {"survey"}


def test_the_log_settings_defaults_name_no_dotted_path_or_agent(settings):
    for name in [name for name in dir(django_settings) if name.startswith("AGENTSTREAM_")]:
        delattr(settings, name)
    assert not hasattr(django_settings, "AGENTSTREAM_WORKFLOWS")
    defaults = {
        name: getattr(LogSettings(), name)
        for name, member in vars(LogSettings).items()
        if isinstance(member, property)
    }
    assert defaults, "LogSettings should declare its settings as properties"
    offences = {
        name: value
        for name, default in defaults.items()
        for value in flatten(default)
        if isinstance(value, str)
        and (DOTTED.search(value) or set(re.findall(r"[a-z]+", value.lower())) & AGENT_NAMES)
    }
    assert not offences, f"the log's defaults name what lives above it: {offences}"


def _fake_tree(root: Path, offending_import: str) -> None:
    """Write `pkg` with the four rooms, `pkg.log.a` holding `offending_import`."""
    for room in ("", "log", "transports", "runs", "site"):
        folder = root / "pkg" / room
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
    (root / "pkg" / "site" / "b.py").write_text("from pkg.log import a\n")
    (root / "pkg" / "log" / "a.py").write_text(
        f"from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\n"
        f"{offending_import}\n"
    )


def _layers_contract_config() -> str:
    """Return the project's import-linter settings and layers contract, for `pkg`."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    session = {key: value for key, value in config.items() if key != "contracts"}
    session["root_packages"] = ["pkg"]
    contract = contract | {"layers": [m.replace("streaming.", "pkg.") for m in contract["layers"]]}
    # JSON's strings, lists and booleans are TOML's too.
    lines = ["[tool.importlinter]"] + [f"{k} = {json.dumps(v)}" for k, v in session.items()]
    lines += ["", "[[tool.importlinter.contracts]]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("offending_import", "broken"),
    [
        ("", False),
        ("from pkg.site import b", True),
        ("def later():\n    from pkg.site import b\n", True),
        ("if TYPE_CHECKING:\n    from pkg.site import b\n", True),
    ],
    ids=["clean", "module-level", "in-a-function", "type-checking"],
)
def test_the_layers_contract_fails_when_the_log_imports_the_site(
    tmp_path, offending_import, broken
):
    _fake_tree(tmp_path, offending_import)
    (tmp_path / "pyproject.toml").write_text(_layers_contract_config())
    run = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache", "--no-logo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    report = run.stdout + run.stderr
    if not broken:
        assert run.returncode == 0, report
        assert "1 kept, 0 broken" in report, report
        return
    assert run.returncode == 1, report
    assert "BROKEN" in report, report
    assert "pkg.log.a -> pkg.site.b" in report, report
