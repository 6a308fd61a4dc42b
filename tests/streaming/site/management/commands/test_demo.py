"""`manage.py demo`: a user with the printed password, and the URL to open."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_demo_makes_a_user_with_the_printed_password_and_prints_the_url():
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    password = re.search(r"Password  (\S+)", text).group(1)
    assert "Open      http://127.0.0.1:8000/" in text
    assert "Workspace sample" in text
    user = authenticate(username="demo", password=password)
    assert user is not None
    assert user.is_staff
    again = io.StringIO()
    call_command("demo", "--no-staff", stdout=again)  # run twice: a fresh password, same user
    second = re.search(r"Password  (\S+)", again.getvalue()).group(1)
    assert second != password
    assert authenticate(username="demo", password=password) is None
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert not get_user_model().objects.get(username="demo").is_staff


@pytest.mark.django_db
def test_demo_refuses_a_missing_sample_workspace(settings, tmp_path):
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(tmp_path)
    with pytest.raises(CommandError, match="'sample' workspace is missing"):
        call_command("demo", stdout=io.StringIO())
