"""A Python module's imports and definitions, from `ast`, and how an import resolves.

Pure functions over data, no I/O and no events: the architect feeds them file by file. Each import
is kept with its line and where it runs: at import time (``module``), only when a function runs
(``function``), or never at run time (``type_checking``, under ``if TYPE_CHECKING:``). Resolution
follows grimp, the import-graph library the tests hold the survey to: ``import a.b`` and
``from a import b`` name the module ``a.b`` if there is one, else its parent ``a``; nothing
further up. A standard-library name is never captured by a workspace module named like it.
"""

from __future__ import annotations

import ast
import contextlib
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from agents.modules import SPECIAL, STDLIB, top_level

Context = Literal["module", "function", "type_checking"]
#: How strongly an import ties two modules: at import time beats at call time beats never.
STRENGTH: dict[str, int] = {"module": 2, "function": 1, "type_checking": 0}


@dataclass(frozen=True, slots=True)
class Import:
    """One imported name as written: ``from <module> import <name>`` (level dots), or
    ``import <module>`` (`name` None)."""

    module: str
    level: int
    name: str | None
    line: int
    context: Context


@dataclass
class ModuleSource:
    """What one parsed file says: its imports, its top-level definitions, whether it runs as a
    script (``if __name__ == "__main__":``)."""

    lines: int
    imports: list[Import] = field(default_factory=list)
    definitions: list[tuple[str, int, str]] = field(default_factory=list)  # (name, line, kind)
    main_guard: bool = False


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.comparators) == 1):
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    values = {s.value for s in sides if isinstance(s, ast.Constant)}
    return names == {"__name__"} and values == {"__main__"}


Scope = tuple[tuple[str, str], ...]  # the enclosing (kind, name): classes and functions
_BLOCKS = ("body", "orelse", "finalbody")


class _Collector:
    """Walks a module's statements only (an import is always a statement), not its expressions:
    ten times fewer nodes than `ast.walk`, which matters on a workspace of 10,000 modules."""

    def __init__(self, source: ModuleSource) -> None:
        self.source = source

    def _define(self, scope: Scope, name: str, line: int, kind: str) -> None:
        if not scope:
            self.source.definitions.append((name, line, kind))
        elif len(scope) == 1 and scope[0][0] == "class" and kind == "function":
            self.source.definitions.append((f"{scope[0][1]}.{name}", line, "method"))

    def statements(self, body: list[ast.stmt], context: Context, scope: Scope) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                self.source.imports.extend(
                    Import(alias.name, 0, None, node.lineno, context) for alias in node.names
                )
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                self.source.imports.extend(
                    Import(module, node.level, alias.name, node.lineno, context)
                    for alias in node.names
                )
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._define(scope, node.name, node.lineno, "function")
                inner: Context = "function" if context == "module" else context
                self.statements(node.body, inner, (*scope, ("function", node.name)))
            elif isinstance(node, ast.ClassDef):
                self._define(scope, node.name, node.lineno, "class")
                self.statements(node.body, context, (*scope, ("class", node.name)))
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self._define(scope, target.id, node.lineno, "variable")
            elif isinstance(node, ast.If):
                if not scope and _is_main_guard(node.test):
                    self.source.main_guard = True
                checking = _is_type_checking(node.test)
                self.statements(node.body, "type_checking" if checking else context, scope)
                self.statements(node.orelse, context, scope)
            else:
                self._blocks(node, context, scope)

    def _blocks(self, node: ast.stmt, context: Context, scope: Scope) -> None:
        """The statements inside a for, while, with, try or match statement."""
        for name in _BLOCKS:
            block = getattr(node, name, None)
            if block:
                self.statements(block, context, scope)
        for handler in getattr(node, "handlers", ()):
            self.statements(handler.body, context, scope)
        for case in getattr(node, "cases", ()):
            self.statements(case.body, context, scope)


_WARNINGS = threading.Lock()


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Ignore the warnings compiling workspace code raises (a SyntaxWarning for ``is`` with a
    literal, a DeprecationWarning for an invalid escape): they are the workspace's, not the
    server's, and where warnings are errors (the tests) they would fail a file that compiles.
    One lock: `catch_warnings` swaps process-wide filters, so two threads must not interleave."""
    with _WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def parse_source(source: str | bytes, *, path: str) -> ModuleSource:
    """Parse `source` and return what it imports and defines.

    Raise SyntaxError if it does not parse, always with a line (a NUL byte, which Python
    reports without one, is placed on its line).
    """
    try:
        with silenced():
            tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        if isinstance(exc, SyntaxError) and exc.lineno:
            raise
        text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
        line = text[: text.find("\x00")].count("\n") + 1 if "\x00" in text else 1
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise SyntaxError(message, (path, line, 0, "")) from exc
    result = ModuleSource(lines=count_lines(source))
    _Collector(result).statements(tree.body, "module", ())
    return result


def count_lines(source: str | bytes) -> int:
    """Return the number of lines, a last line without a newline included."""
    if isinstance(source, bytes):
        return source.count(b"\n") + (bool(source) and not source.endswith(b"\n"))
    return source.count("\n") + (bool(source) and not source.endswith("\n"))


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where an import leads: a workspace module (`internal`), a top-level package outside it
    (`external`), or nowhere (`unresolved`, a name the workspace lacks or too many dots)."""

    internal: str | None = None
    external: str | None = None
    unresolved: str | None = None


def resolve(
    imported: Import,
    *,
    importer: str,
    package: str | None,
    known: set[str],
    tops: set[str],
    siblings: str | None = None,
) -> Resolved:
    """Resolve one import of module `importer`.

    `package` is the package relative imports start from (None for a script or a top-level
    module); `known` holds every module and package name, `tops` their first parts; `siblings`
    is the folder prefix (``scripts.``) of a module outside any regular package, whose
    neighbours a script run from that folder imports by their bare names.
    """
    if imported.level:
        written = "." * imported.level + imported.module
        if package is None:
            return Resolved(unresolved=written)
        base = package.split(".")
        if imported.level - 1 >= len(base):
            return Resolved(unresolved=written)
        base = base[: len(base) - (imported.level - 1)]
        target = ".".join([*base, imported.module] if imported.module else base)
        found = _module_or_parent(target, imported.name, known)
        return Resolved(internal=found) if found else Resolved(unresolved=written)
    target = imported.module
    head = top_level(target)
    found = _module_or_parent(target, imported.name, known)
    if head in STDLIB and (found is None or found == head):
        return Resolved(external=head)  # `import typing` is the standard library's typing
    if found is not None:
        return Resolved(internal=found)
    if head in SPECIAL:
        return Resolved(external=head)
    if head in tops:
        return Resolved(unresolved=target)
    if siblings is not None:
        found = _module_or_parent(siblings + target, imported.name, known)
        if found is not None:
            return Resolved(internal=found)
    return Resolved(external=head)


def _module_or_parent(target: str, name: str | None, known: set[str]) -> str | None:
    candidate = f"{target}.{name}" if name and name != "*" and target else (target or name or "")
    if candidate in known:
        return candidate
    parent = candidate.rpartition(".")[0]
    return parent if parent in known else None


def classify_external(names: set[str]) -> tuple[list[str], list[str]]:
    """Split external top-level names into (standard library, third party), each sorted;
    `__main__` and `__future__` are neither."""
    stdlib = sorted(n for n in names if n in STDLIB and n not in SPECIAL)
    others = sorted(n for n in names if n not in STDLIB and n not in SPECIAL)
    return stdlib, others
