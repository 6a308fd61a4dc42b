"""The files of a workspace, walked the same way by every agent: sorted, bounded, never outside.

`walk` yields one `FileEntry` at a time (memory does not grow with the workspace) in a stable
order, never follows a symlink (a link could lead out of the workspace root) and leaves out the
folders of tools and caches in `IGNORED_DIRS`. Agents count first with `count_files` so their
progress is real: items done over items to do.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".idea",
        ".vscode",
    }
)

LANGUAGES: dict[str, str] = {
    ".py": "Python",
    ".pyi": "Python",
    ".md": "Markdown",
    ".rst": "reStructuredText",
    ".txt": "Text",
    ".toml": "TOML",
    ".cfg": "INI",
    ".ini": "INI",
    ".json": "JSON",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".csv": "CSV",
    ".html": "HTML",
    ".css": "CSS",
    ".js": "JavaScript",
    ".ts": "TypeScript",
    ".sh": "Shell",
    ".sql": "SQL",
    ".c": "C",
    ".h": "C",
    ".rs": "Rust",
    ".go": "Go",
    ".java": "Java",
    ".xml": "XML",
    ".svg": "SVG",
    ".png": "Image",
    ".jpg": "Image",
    ".jpeg": "Image",
    ".gif": "Image",
    ".webp": "Image",
    ".ico": "Image",
    ".po": "Gettext catalog",
    ".pot": "Gettext catalog",
    ".mo": "Gettext binary catalog",
    ".woff": "Font",
    ".woff2": "Font",
    ".ttf": "Font",
    ".eot": "Font",
    ".otf": "Font",
    ".jsx": "JavaScript",
    ".mjs": "JavaScript",
    ".tsx": "TypeScript",
    ".scss": "CSS",
    ".less": "CSS",
    ".map": "Source map",
    ".in": "Text",
    ".lock": "Lock file",
}
OTHER = "Other"
PYTHON_SUFFIXES = frozenset({".py"})


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a workspace: `path` relative to the root, in POSIX form."""

    path: str
    absolute: Path
    size: int
    symlink: bool = False

    @property
    def language(self) -> str:
        return language_of(self.path)

    @property
    def is_python(self) -> bool:
        return Path(self.path).suffix.lower() in PYTHON_SUFFIXES and not self.symlink


def language_of(path: str) -> str:
    """Return the language a file is written in, judged by its extension."""
    name = Path(path).name
    if name == "Makefile":
        return "Makefile"
    if name == "Dockerfile":
        return "Dockerfile"
    return LANGUAGES.get(Path(path).suffix.lower(), OTHER)


def walk(root: Path) -> Iterator[FileEntry]:
    """Yield the regular files and symlinks under `root`, depth first, sorted by name.

    Symlinks are yielded with `symlink=True` and never followed; sockets, pipes and devices are
    left out, and so are folders named in `IGNORED_DIRS`. A folder that cannot be listed is left
    out too (`walk` is used for counting as well, so it must not raise half-way).
    """
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode):
                yield FileEntry(rel, Path(entry.path), 0, symlink=True)
            elif stat.S_ISDIR(info.st_mode):
                if entry.name not in IGNORED_DIRS:
                    subfolders.append((Path(entry.path), f"{rel}/"))
            elif stat.S_ISREG(info.st_mode):
                yield FileEntry(rel, Path(entry.path), info.st_size)
        stack.extend(reversed(subfolders))  # pop() then visits them in name order


def count_files(root: Path) -> int:
    """Return how many entries `walk(root)` yields (the work to do, for real progress)."""
    return sum(1 for _ in walk(root))


def python_files(root: Path) -> Iterator[FileEntry]:
    """Yield the Python source files under `root` in `walk` order."""
    return (entry for entry in walk(root) if entry.is_python)


def read_bytes(entry: FileEntry, limit: int) -> bytes | None:
    """Return the file's bytes, or None when it is over `limit` bytes (it is then not read)."""
    if entry.size > limit:
        return None
    # O_NOFOLLOW: a file swapped for a symlink since it was listed is refused, not followed.
    fd = os.open(entry.absolute, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew since it was listed
        return None
    return data


def read_text(entry: FileEntry, limit: int) -> str | None:
    """Return the file's text (UTF-8, undecodable bytes replaced), or None when it is over
    `limit` bytes."""
    data = read_bytes(entry, limit)
    return None if data is None else data.decode("utf-8", errors="replace")
