"""Scratch databases for benchmarks: created before a run, dropped after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg


@contextmanager
def scratch_postgres(server_url: str, name: str) -> Iterator[str]:
    """Create database `name` on the server of `server_url`, yield its URL, then drop it."""
    parts = urlsplit(server_url)
    admin = psycopg.connect(server_url, autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
