"""Workspace names: only folders directly inside the root, never a way out of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from streaming.runs.exceptions import BadWorkspace
from streaming.runs.workspaces import list_workspaces, resolve_workspace


@pytest.fixture
def root(settings, tmp_path):
    root = tmp_path / "root"
    (root / "good").mkdir(parents=True)
    (root / "good" / "sub").mkdir()
    (root / "a-file").write_text("not a folder")
    (tmp_path / "outside").mkdir()
    (root / "link-out").symlink_to(tmp_path / "outside")
    (root / "link-up").symlink_to(root / "..")
    (root / "link-in").symlink_to(root / "good")
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(root)
    return root


def test_a_folder_inside_the_root_resolves(root):
    assert resolve_workspace("good") == (root / "good").resolve()


def test_a_symlink_to_another_workspace_inside_the_root_resolves(root):
    assert resolve_workspace("link-in") == (root / "good").resolve()


@pytest.mark.parametrize(
    "name",
    [
        "..",
        ".",
        "../outside",
        "good/../../outside",
        "good/sub",
        "link-out",
        "link-up",
        "missing",
        "a-file",
        "bad\x00name",
        "x" * 300,
        "..\\outside",
    ],
)
def test_names_that_leave_the_root_or_do_not_exist_are_refused(root, name):
    with pytest.raises(BadWorkspace):
        resolve_workspace(name)


def test_an_absolute_path_is_refused_even_when_it_points_inside_the_root(root):
    with pytest.raises(BadWorkspace):
        resolve_workspace(str(root / "good"))
    with pytest.raises(BadWorkspace):
        resolve_workspace("/etc")


def test_the_projects_default_is_the_shipped_sample():
    path = resolve_workspace(None)
    assert path.name == "sample"
    assert path.parent == Path(settings.BASE_DIR, "agents", "workspaces").resolve()
    assert (path / "shopkit" / "__init__.py").is_file()
    assert "sample" in list_workspaces()


def test_without_a_root_or_a_default_there_is_no_workspace(settings):
    del settings.AGENTSTREAM_WORKSPACE_ROOT
    with pytest.raises(BadWorkspace, match="AGENTSTREAM_WORKSPACE_ROOT"):
        resolve_workspace("sample")
    assert list_workspaces() == []
    del settings.AGENTSTREAM_DEFAULT_WORKSPACE
    with pytest.raises(BadWorkspace, match="no default"):
        resolve_workspace(None)


def test_only_valid_workspaces_are_listed(root):
    assert list_workspaces() == ["good", "link-in"]
