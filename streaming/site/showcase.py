"""Showcase workspaces: a real codebase prepared for a first run worth watching.

`manage.py demo` copies the Python source of a package installed on this machine (Django's own,
about 900 modules) into a workspace and leaves a note beside it (`NOTE`): what it is, and the
query the home page suggests for it. The copy is ignored by git (a `.gitignore` of `*` inside
it), so a workspace root inside a checkout stays clean. A folder without the note is never
touched: it is somebody's workspace.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from streaming.runs.exceptions import BadWorkspace
from streaming.runs.workspaces import list_workspaces, resolve_workspace

NOTE = ".agentstream-showcase.json"


class NotAShowcase(Exception):
    """The folder exists and was not prepared as a showcase: it is left alone."""


@dataclass(frozen=True, kw_only=True)
class Showcase:
    """A prepared workspace as the home page suggests it."""

    workspace: str
    title: str
    source: str  # the package and version copied, e.g. "django 5.2.8"
    modules: int
    query: str


def read_showcase(folder: Path) -> Showcase | None:
    """Return the note of a showcase workspace, or None when `folder` has no (valid) note."""
    try:
        data = json.loads((folder / NOTE).read_text(encoding="utf-8"))
        return Showcase(
            workspace=folder.name,
            title=str(data["title"]),
            source=str(data["source"]),
            modules=int(data["modules"]),
            query=str(data["query"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def list_showcases() -> list[Showcase]:
    """Return the showcases among the workspaces, by workspace name."""
    found = []
    for name in list_workspaces():
        try:
            showcase = read_showcase(resolve_workspace(name))
        except BadWorkspace:
            continue
        if showcase is not None:
            found.append(showcase)
    return found


def prepare_from_package(
    package: ModuleType, *, root: Path, name: str, title: str, query: str
) -> tuple[Showcase, bool]:
    """Copy the `*.py` files of `package` into workspace `name` under `root`, with its note.

    Return the showcase and whether it was (re)made: an existing copy of the same version is
    kept. Raise `NotAShowcase` when the folder exists without a note.
    """
    source_dir = Path(package.__file__ or "").resolve().parent
    version = getattr(package, "__version__", "") or ""
    source = f"{package.__name__} {version}".strip()
    folder = root / name
    existing = read_showcase(folder) if folder.exists() else None
    if folder.exists() and existing is None:
        raise NotAShowcase(f"{folder} exists and is not a prepared showcase; it was left alone")
    if existing is not None and existing.source == source and existing.query == query:
        return existing, False
    if existing is not None:
        shutil.rmtree(folder)
    target = folder / source_dir.name
    modules = 0
    for path in sorted(source_dir.rglob("*.py")):
        copy = target / path.relative_to(source_dir)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        modules += 1
    (folder / ".gitignore").write_text("# A copy made by `manage.py demo`.\n*\n", encoding="utf-8")
    showcase = Showcase(workspace=name, title=title, source=source, modules=modules, query=query)
    note = {key: value for key, value in asdict(showcase).items() if key != "workspace"}
    (folder / NOTE).write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")
    return showcase, True
