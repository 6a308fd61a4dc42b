"""`manage.py demo` prepares the showcase workspace from Django's installed source."""

from __future__ import annotations

import io
import re
from pathlib import Path

import django
import pytest
from django.core.management import call_command

from streaming.site.showcase import list_showcases


@pytest.fixture
def workspaces(settings):
    """The temporary workspace root of this folder's conftest."""
    return Path(settings.AGENTSTREAM_WORKSPACE_ROOT)


@pytest.mark.django_db
def test_demo_prepares_the_django_showcase_once(workspaces):
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    match = re.search(r"Showcase  django \((\d+) modules of django ([\d.a-z]+)\)", text)
    assert match, text
    assert int(match.group(1)) > 800
    assert match.group(2) == django.__version__
    assert "copied" in text
    (showcase,) = list_showcases()
    assert showcase.workspace == "django"
    assert (workspaces / "django" / "django" / "db" / "models" / "base.py").is_file()
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "already there" in again.getvalue()


@pytest.mark.django_db
def test_demo_without_the_showcase(workspaces):
    out = io.StringIO()
    call_command("demo", "--no-showcase", stdout=out)
    assert "Showcase" not in out.getvalue()
    assert not (workspaces / "django").exists()


@pytest.mark.django_db
def test_demo_leaves_a_folder_of_that_name_alone(workspaces):
    (workspaces / "django").mkdir()
    (workspaces / "django" / "mine.py").write_text("x = 1\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", stdout=out, stderr=err)
    assert "Skipped the showcase" in err.getvalue()
    assert (workspaces / "django" / "mine.py").exists()
