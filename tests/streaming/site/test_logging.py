"""The LOGGING of project/settings.py: every warning reaches the console once, DEBUG or not (a
404 and an admin 403 were written twice with DEBUG on), share tokens redacted."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture
def written(monkeypatch):
    """The messages the project's console handlers write (pytest's own capture left out)."""
    lines: list[str] = []
    real_emit = logging.StreamHandler.emit

    def emit(self, record):
        if not type(self).__module__.startswith("_pytest"):
            lines.append(self.format(record))
        else:
            real_emit(self, record)

    monkeypatch.setattr(logging.StreamHandler, "emit", emit)
    return lines


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_a_404_and_an_admin_403_are_logged_once(client, settings, written, debug, session):
    from django.contrib.auth import get_user_model

    settings.DEBUG = debug
    root = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(root)
    # A page's 404 (Django's technical 404 page, for unknown URLs with DEBUG, keeps its request
    # alive after the test: a later test walking the heap would trip on its lazy user).
    missing = f"/sessions/{session.id}/report/"
    assert client.get(missing).status_code == 404  # no report yet
    assert client.get("/admin/streaming/event/add/").status_code == 403
    not_found = [line for line in written if f"Not Found: {missing}" in line]
    forbidden = [line for line in written if "Forbidden (Permission denied)" in line]
    assert len(not_found) == 1, written
    assert len(forbidden) == 1, written
    assert forbidden[0].count("Traceback") == 1


def test_a_warning_of_the_apps_is_written_once(written):
    logging.getLogger("streaming.site").warning("one warning, token=secret")
    assert len(written) == 1
    assert written[0].endswith("WARNING streaming.site one warning, token=[redacted]")
