"""Fixtures of the fault suite: its own Redis and PostgreSQL (once per run, on spare ports,
always removed), real daphne processes and the emitter (per test, always stopped).

The suite runs only with ``-m faults`` (`pytest_collection_modifyitems`). Every test leaves
both services running: a test that breaks one restores it in a ``finally``, and `services_up`
checks (and repairs) that around each test, so tests stay independent of their order
(pytest-randomly shuffles it).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from streaming import testing
from tests.faults.processes import ROOT, Daphne, Emitter, Worker
from tests.faults.services import PostgresCluster, RedisServer, postgres_bin


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the fault suite only when asked for (``-m faults``): it takes minutes and starts its
    own services, so the ordinary passes of .ci/run (their own ``-m``) skip it, visibly."""
    if "faults" in (config.getoption("markexpr") or "").replace("not faults", ""):
        return
    skip = pytest.mark.skip(reason="the fault suite runs on its own: pytest -m faults tests/faults")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so finalisers know whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or report.failed


def _needs(what: str, found: bool) -> None:
    """Skip without `what` (fail instead when AGENTSTREAM_REQUIRE_SERVICES=1, as in CI)."""
    if not found:
        reason = f"the fault suite needs {what}"
        if testing.services_required():
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def fault_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    _needs("redis-server", shutil.which("redis-server") is not None)
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="session")
def fault_postgres() -> Iterator[PostgresCluster]:
    _needs("PostgreSQL's server binaries (initdb, pg_ctl)", postgres_bin() is not None)
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def fault_database(fault_postgres: PostgresCluster, fault_redis: RedisServer) -> str:
    """The suite's database, migrated; its URL."""
    url = fault_postgres.create_database("agentstream")
    env = base_env(database_url=url, redis_url=fault_redis.url)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    return url


def base_env(*, database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of the suite's processes: the machine's, minus any service or
    agentstream setting of the test run, plus the suite's own services."""
    ours = ("DATABASE_", "REDIS_", "AGENTSTREAM_", "DJANGO_", "PYTEST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def services_up(fault_redis: RedisServer, fault_postgres: PostgresCluster) -> Iterator[None]:
    """Both services answer before the test, and again after it (whatever it broke)."""
    fault_redis.start()
    if not fault_postgres.running():
        fault_postgres.start()
    yield
    fault_redis.start()
    if not fault_postgres.running():
        fault_postgres.start()


@pytest.fixture
def fault_env(fault_database: str, fault_redis: RedisServer, services_up: None) -> dict[str, str]:
    """The environment of this test's processes; a channel prefix of its own."""
    env = base_env(database_url=fault_database, redis_url=fault_redis.url)
    env["AGENTSTREAM_CHANNEL_PREFIX"] = f"faults{secrets.token_hex(4)}"
    return env


class Servers:
    """Starts daphne processes for one test and stops them all after it."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.started: list[Daphne] = []

    async def start(self, *names: str, **extra_env: str) -> list[Daphne]:
        servers = [Daphne(name, {**self.env, **extra_env}, self.folder) for name in names]
        self.started.extend(servers)
        for server in servers:
            await server.ready()
        return servers

    def stop(self) -> None:
        for server in self.started:
            server.stop()

    def logs(self) -> str:
        return "\n".join(s.log.tail() for s in self.started)


@pytest.fixture
def servers(
    fault_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Servers]:
    started = Servers(fault_env, tmp_path)
    try:
        yield started
    finally:
        started.stop()
        if _failed(request):
            print(f"process logs of the failed test: {tmp_path}")
            for server in started.started:
                bad = server.log.at({"ERROR", "CRITICAL"})
                print(f"{server!r}: {len(bad)} ERROR records", *bad[:5], sep="\n  ")


@pytest.fixture
async def emitter(fault_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Emitter]:
    process = Emitter(fault_env, tmp_path)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
def workers(fault_env: dict[str, str], tmp_path: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.kill()
