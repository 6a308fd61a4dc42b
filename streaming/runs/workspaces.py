"""Workspaces: folders directly inside the workspace root, and the check that a name is one."""

from __future__ import annotations

from pathlib import Path

from streaming.runs.conf import conf
from streaming.runs.exceptions import BadWorkspace


def workspace_root() -> Path:
    """Return the resolved folder of workspaces (AGENTSTREAM_WORKSPACE_ROOT).

    Raise `BadWorkspace` when it is not set (the system check says so at start).
    """
    root = conf.WORKSPACE_ROOT
    if root is None:
        raise BadWorkspace("no workspace root is configured (AGENTSTREAM_WORKSPACE_ROOT)")
    return root.resolve()


def resolve_workspace(name: str | None) -> Path:
    """Return the folder of workspace `name` (default: ``AGENTSTREAM_DEFAULT_WORKSPACE``).

    Raise `BadWorkspace` for a name that does not exist or that resolves outside the root:
    `..`, an absolute path, a nested path, or a symlink that leads out.
    """
    if name is None or name == "":
        name = conf.DEFAULT_WORKSPACE
        if name is None:
            raise BadWorkspace("name a workspace (no default is configured)")
    if not isinstance(name, str):
        raise BadWorkspace("workspace must be a string")
    if "\x00" in name or len(name) > 255:
        raise BadWorkspace("workspace is not a valid folder name")
    if name in {".", ".."} or "/" in name or "\\" in name or Path(name).is_absolute():
        raise BadWorkspace(f"workspace {name!r} must name a folder directly inside the root")
    root = workspace_root()
    candidate = root / name
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise BadWorkspace(f"workspace {name!r} does not exist") from exc
    if resolved.parent != root or not resolved.is_dir():
        raise BadWorkspace(f"workspace {name!r} is not a folder inside the workspace root")
    return resolved


def list_workspaces() -> list[str]:
    """Return the names of the valid workspaces under the root, sorted."""
    if conf.WORKSPACE_ROOT is None:
        return []
    root = workspace_root()
    if not root.is_dir():
        return []
    names = []
    for entry in sorted(root.iterdir()):
        try:
            resolve_workspace(entry.name)
        except BadWorkspace:
            continue
        names.append(entry.name)
    return names
