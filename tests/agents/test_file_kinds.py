"""Files are classed by what they are for, so byte totals say something."""

from __future__ import annotations

import pytest

from agents.file_kinds import kind_of


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("pkg/module.py", "Python"),
        ("pkg/stubs.pyi", "Python"),
        ("tests/test_x.py", "tests"),
        ("pkg/test_thing.py", "tests"),
        ("conftest.py", "tests"),
        ("tests/fixtures/data.json", "tests"),
        ("README.md", "docs"),
        ("docs/index.rst", "docs"),
        ("LICENSE", "docs"),
        ("django/conf/locale/fr/LC_MESSAGES/django.po", "translations"),
        ("django/conf/locale/fr/LC_MESSAGES/django.mo", "translations"),
        ("data/catalog.csv", "data"),
        ("static/logo.svg", "data"),
        ("pyproject.toml", "configuration"),
        ("requirements-dev.txt", "configuration"),
        ("Makefile", "configuration"),
        ("setup.cfg", "configuration"),
        ("static/app.js", "other"),
    ],
)
def test_each_file_has_a_kind(path, kind):
    assert kind_of(path) == kind
