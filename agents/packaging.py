"""What the workspace declares about itself: dependencies and console scripts.

Read from the files at its root: ``pyproject.toml`` (PEP 621 ``[project]``, PEP 735
``[dependency-groups]``, Poetry), ``setup.cfg``, ``setup.py`` (literal arguments of its
``setup()`` call) and ``requirements*.txt``. A declared distribution is matched to the names it is
imported by (`import_names`): the normalised name, a table of the well-known differences
(``PyYAML`` is ``yaml``) and the distributions installed beside the survey.
"""

from __future__ import annotations

import ast
import configparser
import functools
import importlib.metadata
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
#: Distributions imported under another name (normalised distribution name → import names).
KNOWN_IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "pyyaml": ("yaml",),
    "beautifulsoup4": ("bs4",),
    "pillow": ("PIL",),
    "scikit-learn": ("sklearn",),
    "python-dateutil": ("dateutil",),
    "opencv-python": ("cv2",),
    "psycopg2-binary": ("psycopg2",),
    "pyjwt": ("jwt",),
    "python-dotenv": ("dotenv",),
    "djangorestframework": ("rest_framework",),
    "pycryptodome": ("Crypto",),
    "pyzmq": ("zmq",),
    "protobuf": ("google",),
    "attrs": ("attr", "attrs"),
    "setuptools": ("setuptools", "pkg_resources"),
    "mysqlclient": ("MySQLdb",),
    "pywin32": ("win32api", "win32con"),
    "typing-extensions": ("typing_extensions",),
}


def normalise(name: str) -> str:
    """Return a distribution name in PEP 503 form (``Foo_Bar`` → ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _installed() -> dict[str, tuple[str, ...]]:
    names: dict[str, list[str]] = {}
    for top, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            names.setdefault(normalise(dist), []).append(top)
    return {dist: tuple(sorted(tops)) for dist, tops in names.items()}


def import_names(distribution: str) -> list[str]:
    """Return the top-level names `distribution` is likely imported by."""
    norm = normalise(distribution)
    found = {norm.replace("-", "_"), *KNOWN_IMPORT_NAMES.get(norm, ())}
    found.update(name for name in _installed().get(norm, ()) if not name.startswith("_"))
    return sorted(found)


def _text(root: Path, name: str, limit: int) -> str | None:
    path = root / name
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit).decode("utf-8", "replace")


def _requirement(line: str) -> str | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith(("-", "http:", "https:", "git+", "file:")):
        return None
    match = _REQUIREMENT.match(line)
    return match.group(1) if match else None


class Declarations:
    """Dependencies and console scripts, in the order the files declare them."""

    def __init__(self) -> None:
        self.dependencies: list[dict[str, Any]] = []
        self.scripts: list[dict[str, str]] = []
        self.sources: list[str] = []

    def depend(self, requirement: object, source: str, group: str | None = None) -> None:
        name = _requirement(requirement) if isinstance(requirement, str) else None
        if name and normalise(name) != "python":
            seen = {normalise(d["name"]) for d in self.dependencies}
            if normalise(name) not in seen:
                self.dependencies.append(
                    {"name": name, "imports": import_names(name), "source": source}
                    | {"group": group}
                )

    def script(self, name: object, target: object, source: str) -> None:
        if isinstance(name, str) and isinstance(target, str):
            self.scripts.append({"name": name.strip(), "target": target.strip(), "source": source})

    def as_data(self) -> dict[str, Any]:
        return {"dependencies": self.dependencies, "scripts": self.scripts, "files": self.sources}


def _pyproject(text: str, found: Declarations) -> None:
    data = tomllib.loads(text)
    project = data.get("project") or {}
    for requirement in project.get("dependencies") or []:
        found.depend(requirement, "pyproject.toml")
    for group, requirements in (project.get("optional-dependencies") or {}).items():
        for requirement in requirements or []:
            found.depend(requirement, "pyproject.toml", group)
    for group, requirements in (data.get("dependency-groups") or {}).items():
        for requirement in requirements or []:
            found.depend(requirement, "pyproject.toml", group)
    for table in ("scripts", "gui-scripts"):
        for name, target in (project.get(table) or {}).items():
            found.script(name, target, "pyproject.toml")
    poetry = (data.get("tool") or {}).get("poetry") or {}
    for name in poetry.get("dependencies") or {}:
        found.depend(name, "pyproject.toml")
    for name, target in (poetry.get("scripts") or {}).items():
        found.script(name, target, "pyproject.toml")


def _setup_cfg(text: str, found: Declarations) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    for line in parser.get("options", "install_requires", fallback="").splitlines():
        found.depend(line, "setup.cfg")
    if parser.has_section("options.extras_require"):
        for group, lines in parser.items("options.extras_require"):
            for line in lines.splitlines():
                found.depend(line, "setup.cfg", group)
    for line in parser.get("options.entry_points", "console_scripts", fallback="").splitlines():
        name, _, target = line.partition("=")
        if target:
            found.script(name, target, "setup.cfg")


def _setup_py(text: str, found: Declarations) -> None:
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup"):
            continue
        for keyword in node.keywords:
            try:
                value = ast.literal_eval(keyword.value)
            except ValueError:
                continue
            if keyword.arg == "install_requires" and isinstance(value, list | tuple):
                for requirement in value:
                    found.depend(requirement, "setup.py")
            elif keyword.arg == "entry_points" and isinstance(value, dict):
                for line in value.get("console_scripts") or []:
                    name, _, target = str(line).partition("=")
                    found.script(name, target, "setup.py")


def read_declarations(root: Path, limit: int) -> dict[str, Any]:
    """Return what the files at `root` declare; a file that does not parse is passed over."""
    found = Declarations()
    readers = [("pyproject.toml", _pyproject), ("setup.cfg", _setup_cfg), ("setup.py", _setup_py)]
    try:
        requirements = sorted(p.name for p in root.glob("requirements*.txt"))
    except OSError:
        requirements = []
    for name, reader in readers:
        text = _text(root, name, limit)
        if text is not None:
            try:
                reader(text, found)
            except (ValueError, SyntaxError, configparser.Error, TypeError, AttributeError):
                continue
            found.sources.append(name)
    for name in requirements:
        text = _text(root, name, limit)
        if text is not None:
            for line in text.splitlines():
                found.depend(line, name)
            found.sources.append(name)
    return found.as_data()
