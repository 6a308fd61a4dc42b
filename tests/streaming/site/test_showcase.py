"""streaming/site/showcase.py: a real codebase copied into a workspace, with its note."""

from __future__ import annotations

import json
import sys
import types

import pytest

from streaming.site.showcase import NOTE, NotAShowcase, list_showcases, prepare_from_package


@pytest.fixture
def package(tmp_path):
    """A small importable-looking package on disk: three modules, one in a subpackage."""
    source = tmp_path / "src" / "tinypkg"
    (source / "sub").mkdir(parents=True)
    (source / "__init__.py").write_text("__version__ = '1.2'\n")
    (source / "core.py").write_text("from tinypkg import sub\n")
    (source / "sub" / "__init__.py").write_text("")
    (source / "data.txt").write_text("not Python\n")
    module = types.ModuleType("tinypkg")
    module.__file__ = str(source / "__init__.py")
    module.__version__ = "1.2"
    return module


def test_prepare_copies_the_python_files_with_a_note_and_a_gitignore(tmp_path, package, settings):
    root = tmp_path / "workspaces"
    root.mkdir()
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(root)
    showcase, made = prepare_from_package(package, root=root, name="tiny", title="Tiny", query="Q")
    assert made
    assert showcase.modules == 3
    assert showcase.source == "tinypkg 1.2"
    copied = sorted(p.relative_to(root / "tiny").as_posix() for p in (root / "tiny").rglob("*.py"))
    assert copied == ["tinypkg/__init__.py", "tinypkg/core.py", "tinypkg/sub/__init__.py"]
    assert (root / "tiny" / ".gitignore").read_text().splitlines()[-1] == "*"
    note = json.loads((root / "tiny" / NOTE).read_text())
    assert note == {"title": "Tiny", "source": "tinypkg 1.2", "modules": 3, "query": "Q"}
    assert list_showcases() == [showcase]

    again, made = prepare_from_package(package, root=root, name="tiny", title="Tiny", query="Q")
    assert (again, made) == (showcase, False)  # kept: the same version
    package.__version__ = "1.3"
    newer, made = prepare_from_package(package, root=root, name="tiny", title="Tiny", query="Q")
    assert made
    assert newer.source == "tinypkg 1.3"


def test_a_folder_that_is_not_a_showcase_is_left_alone(tmp_path, package):
    mine = tmp_path / "tiny"
    mine.mkdir()
    (mine / "precious.py").write_text("x = 1\n")
    with pytest.raises(NotAShowcase):
        prepare_from_package(package, root=tmp_path, name="tiny", title="T", query="Q")
    assert (mine / "precious.py").exists()


def test_a_broken_note_is_no_showcase(tmp_path, settings):
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(tmp_path)
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / NOTE).write_text("{not json")
    assert list_showcases() == []


def test_django_itself_is_big_enough_to_watch():
    import django

    assert sys.modules["django"] is django
    files = list(__import__("pathlib").Path(django.__file__).parent.rglob("*.py"))
    assert len(files) > 800  # "about 900 modules": several seconds of visible work
