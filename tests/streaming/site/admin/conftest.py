"""Fixtures and helpers of the admin's tests: staff and superuser clients, the listed seqs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

EVENTS = "/admin/streaming/event/"


SESSIONS = "/admin/streaming/session/"


def listed_seqs(response) -> list[int]:
    body = response.content.decode()
    return [int(s) for s in re.findall(r'<th class="field-seq"><a href="[^"]*">(\d+)</a>', body)]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def superuser_client(client, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    return client


def changelist_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries]
