"""Shared fixtures: users, sessions, a fresh bus and channel layer per test, real services.

Also where the suite keeps its files: test databases in a temporary folder, never the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from streaming import testing
from streaming.log.bus import reset_bus

# A helper module whose asserts should explain themselves as a test's do (before it is imported).
pytest.register_assert_rewrite("tests.sessions")


@pytest.fixture(autouse=True)
def _fresh_bus_and_layer():
    """Each test starts with an empty bus and channel layer; the writer's connection is closed."""
    reset_bus()
    testing.reset_channel_layers()
    yield
    reset_bus()
    testing.reset_channel_layers()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Make the SQLite test database (and its -wal and -shm files) in this run's temporary
    folder rather than beside the project, unless DATABASE_TEST_NAME names one."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not os.environ.get("DATABASE_TEST_NAME"):
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before pytest-django drops the PostgreSQL test database, end the connections that
    executor threads (sync_to_async, to_thread, the bus writer) still hold open to it."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the -wal and -shm files SQLite leaves beside a test database that was dropped
    while executor threads still held connections to it (once the database itself is gone)."""
    from django.conf import settings

    if not settings.configured:
        return
    database = settings.DATABASES["default"]
    name = (database.get("TEST") or {}).get("NAME")
    if not database["ENGINE"].endswith("sqlite3") or not name or name == ":memory:":
        return
    if not Path(name).exists():
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


def _service(name: str, url: str) -> str:
    if testing.reachable(url):
        return url
    reason = f"{name} is not reachable at {url}"
    if testing.services_required():
        pytest.fail(f"{reason} and AGENTSTREAM_REQUIRE_SERVICES=1")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A real PostgreSQL server's URL (skips without one, fails if services are required)."""
    return _service("PostgreSQL", testing.postgres_url())


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A real Redis server's URL (skips without one, fails if services are required)."""
    return _service("Redis", testing.redis_url())


@pytest.fixture
def on_postgres(settings) -> None:
    """Skip (or fail) unless the suite itself runs on PostgreSQL."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        if testing.services_required() and os.environ.get("DATABASE_URL", "").startswith(
            "postgres"
        ):
            pytest.fail("DATABASE_URL is PostgreSQL but the settings are not")
        pytest.skip("needs the suite to run with DATABASE_URL=postgres://...")


def make_user(username: str = "alice", *, staff: bool = False):
    return get_user_model().objects.create_user(
        username=username, password="pw-" + username, is_staff=staff
    )


def make_session(owner, *, workflow: str = "survey", **fields):
    """Store a pending session of `owner` and its run, as `create_session` would (no checks)."""
    from streaming.log.models import Session
    from streaming.runs.models import Run

    run_fields = {
        name: fields.pop(name)
        for name in ("lease_owner", "lease_expires_at", "cancel_requested_at")
        if name in fields
    }
    fields.setdefault("query", "Map the sample workspace")
    fields.setdefault("workspace", "sample")
    session = Session.objects.create(owner=owner, **fields)
    Run.objects.create(session=session, workflow=workflow, **run_fields)
    return session


def make_workspace(root: Path, name: str, files: dict[str, str | bytes]) -> Path:
    """Create workspace `name` under `root` with `files` (relative path → content)."""
    folder = root / name
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def user(db):
    return make_user("alice")


@pytest.fixture
def other_user(db):
    return make_user("mallory")


@pytest.fixture
def staff_user(db):
    return make_user("sam", staff=True)


@pytest.fixture
def session(user):
    return make_session(user)


@pytest.fixture
def amake_session():
    return sync_to_async(make_session)


@pytest.fixture
async def _fresh_runner():
    """The test starts without a session runner on its loop and ends with its runs stopped
    (those still running end `failed`); request it where a test launches or cancels sessions."""
    from streaming.runs.process import reset_runner

    await reset_runner()
    yield
    await reset_runner()
