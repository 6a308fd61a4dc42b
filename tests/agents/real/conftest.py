"""Real codebases as workspaces: Django's and LangGraph's installed sources, linked (or copied)
into one workspace root for the whole run, and grimp's graphs of the installed packages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import django
import grimp
import langgraph.graph
import pytest

DJANGO = Path(django.__file__).parent
LANGGRAPH = Path(langgraph.graph.__file__).parents[1]


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)  # the same files, without copying 50 MB
    except OSError:
        shutil.copy2(source, destination)


def _copy(source: Path, destination: Path) -> None:
    shutil.copytree(
        source,
        destination,
        ignore=shutil.ignore_patterns("__pycache__"),
        copy_function=_link_or_copy,
    )


@pytest.fixture(scope="session")
def real_root(tmp_path_factory) -> Path:
    """A workspace root holding ``django`` (Django's package in a folder), ``both`` (Django and
    LangGraph side by side) and ``langgraph`` (LangGraph's package folder itself)."""
    root = tmp_path_factory.mktemp("real-workspaces")
    _copy(DJANGO, root / "django" / "django")
    _copy(DJANGO, root / "both" / "django")
    _copy(LANGGRAPH, root / "both" / "langgraph")
    _copy(LANGGRAPH, root / "langgraph")
    return root


@pytest.fixture(scope="session")
def grimp_graph():
    """grimp's graph of the installed Django and LangGraph (the files the workspaces link)."""
    return grimp.build_graph("django", "langgraph", cache_dir=None)


@pytest.fixture
def in_real_root(settings, real_root) -> Path:
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(real_root)
    return real_root
