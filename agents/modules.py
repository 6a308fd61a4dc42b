"""Module names as Python would import them, with the workspace root on ``sys.path``.

A file's name is its dotted path from its source root: the workspace root, or ``src/`` when
that folder is not itself a package (a src layout). Folders with ``__init__.py`` are regular
packages; folders without it are namespace packages (PEP 420), named too. A file that no import
statement can name (a folder that is not an identifier, a stem with a dot, as grimp skips them)
is a script, named by its path. When the workspace *is* a package folder (its own
``__init__.py``, or absolute imports of ``<name>.<a workspace module>`` in most of its files), its
modules are named under that package, as Python imports them.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

#: Standard-library modules of newer Pythons than the one running (code may import them behind a
#: version check), and typeshed's `_typeshed`, which exists for type checkers only.
NEWER_STDLIB = frozenset(
    {"annotationlib", "compression", "_interpreters", "_pyrepl", "_colorize", "_typeshed"}
)
STDLIB = frozenset(sys.stdlib_module_names) | NEWER_STDLIB
#: Names no distribution provides: `__main__` is the running script, `__future__` a directive.
SPECIAL = frozenset({"__main__", "__future__"})

Kind = Literal["module", "package", "namespace", "script"]


@dataclass(frozen=True, slots=True)
class Naming:
    """A Python file's module name and kind (``script``: named by its path, not importable)."""

    name: str
    kind: Kind


class Layout:
    """The workspace's source roots and packages, which give each Python file its name."""

    def __init__(self, package_dirs: set[str], *, has_src: bool, root_name: str = "") -> None:
        self.package_dirs = package_dirs
        self.src_root = has_src and "src" not in package_dirs
        self.root_is_package = "." in package_dirs
        self.root_name = root_name  # the package the workspace root is, once known

    def naming(self, path: str) -> Naming:
        """Return the name of the Python file at `path` (POSIX, relative to the root)."""
        pure = PurePosixPath(path)
        folders = list(pure.parent.parts)
        in_src = self.src_root and folders[:1] == ["src"]
        if in_src:
            folders = folders[1:]
        stem = pure.name.removesuffix(".py")
        if "." in stem or stem.startswith(".") or not all(f.isidentifier() for f in folders):
            return Naming(path, "script")
        is_package = stem == "__init__"
        parts = folders if is_package else [*folders, stem]
        if self.root_name and not in_src:
            parts = [self.root_name, *parts]
        if not parts:  # the root's own __init__.py, its package's name unknown
            return Naming(path, "script")
        return Naming(".".join(parts), "package" if is_package else "module")

    def namespace_packages(self, paths: Iterable[str]) -> dict[str, str]:
        """Return the namespace packages (name → folder) that hold the importable `paths`."""
        found: dict[str, str] = {}
        for path in paths:
            naming = self.naming(path)
            if naming.kind == "script":
                continue
            pure = PurePosixPath(path)
            folders = list(pure.parent.parts)
            base: list[str] = []
            names: list[str] = []
            if self.src_root and folders[:1] == ["src"]:
                base, folders = ["src"], folders[1:]
            elif self.root_name:
                names = [self.root_name]
                if not self.root_is_package:
                    found.setdefault(self.root_name, "./")
            for index in range(len(folders)):
                folder = "/".join([*base, *folders[: index + 1]])
                if folder not in self.package_dirs:
                    found.setdefault(".".join([*names, *folders[: index + 1]]), f"{folder}/")
        return found


def top_level(name: str) -> str:
    """Return the first part of a dotted name."""
    return name.partition(".")[0]


def infer_root_package(
    imports: Iterable[tuple[str, str]], known: set[str], *, minimum: int = 2
) -> str | None:
    """Return the package the workspace root is, judged by its own absolute imports.

    `imports` are (importer, imported dotted name) pairs as written, with the modules named from
    the root. A name P is the root's package when at least `minimum` modules import
    ``P.<a workspace module>`` and at least 80 % of the imports under P name one.
    """
    tops = {top_level(name) for name in known}
    importers: dict[str, set[str]] = {}
    hits: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for importer, target in imports:
        head, _, rest = target.partition(".")
        if not rest or head in tops or head in STDLIB or head in SPECIAL:
            continue
        if rest in known or rest.rpartition(".")[0] in known:
            importers.setdefault(head, set()).add(importer)
            hits[head] += 1
        else:
            misses[head] += 1
    best: tuple[str, int] | None = None
    for head, users in importers.items():
        share = hits[head] / (hits[head] + misses[head])
        if len(users) >= minimum and share >= 0.8 and (best is None or len(users) > best[1]):
            best = (head, len(users))
    return best[0] if best else None
