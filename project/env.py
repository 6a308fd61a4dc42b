"""Read the environment variables of the configuration table (docs/protocol.md), with defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def flag(name: str, default: bool) -> bool:
    """Return the boolean environment variable `name` (`1`/`0`, `true`/`false`)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected 1/0 or true/false")


def csv(name: str, default: str) -> list[str]:
    """Return the comma-separated environment variable `name` as a list without blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def pairs(name: str) -> dict[str, str]:
    """Return the environment variable `name` of comma-separated `key=value` pairs as a dict."""
    result: dict[str, str] = {}
    for item in csv(name, ""):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: {item!r} is not a name=module.attr pair")
        result[key.strip()] = value.strip()
    return result


def workflows(name: str, builtin: dict[str, str]) -> dict[str, str]:
    """Return the `builtin` workflows plus those the environment variable `name` adds (as
    `pairs`); a name that would replace a built-in one is refused."""
    added = pairs(name)
    clash = sorted(set(added) & set(builtin))
    if clash:
        raise ImproperlyConfigured(f"{name}: {', '.join(clash)} is built in; choose another name")
    return {**builtin, **added}


def database(url: str, base_dir: Path) -> dict[str, Any]:
    """Return a Django DATABASES entry for a `sqlite:///…` or `postgres://…` URL.

    dj-database-url reads the URL (percent-decoding, the `postgresql`/`pgsql` aliases, query
    options typed as ints and booleans); the entry around it is ours. Anything else is refused.
    """
    parsed: dj_database_url.DBConfig
    try:
        parsed = dj_database_url.parse(url)
    except ValueError:  # an unknown scheme, or a URL it cannot split (a port that is no number)
        parsed = {}
    engine = parsed.get("ENGINE")
    # In-memory SQLite (`sqlite://`) is refused: each thread's connection would see its own
    # empty database, and the bus writes from a thread of its own.
    if engine == "django.db.backends.sqlite3" and parsed.get("NAME") != ":memory:":
        return _sqlite(Path(parsed["NAME"]), base_dir)
    if engine == "django.db.backends.postgresql":
        return _postgresql(parsed)
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r}: use sqlite:///path.sqlite3 or postgres://user:pass@host:port/name"
    )


def _sqlite(path: Path, base_dir: Path) -> dict[str, Any]:
    # sqlite:///relative.sqlite3 is relative to the project; sqlite:////abs/path is absolute.
    name = path if path.is_absolute() else base_dir / path
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(name),
        "OPTIONS": {
            # Concurrent writers: WAL lets readers run beside the one writer, IMMEDIATE takes
            # the write lock up front (no deadlock on lock upgrade), and the busy timeout waits.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {
            "NAME": os.environ.get("DATABASE_TEST_NAME") or str(name.with_name(f"test_{name.name}"))
        },
    }


def _postgresql(parsed: dj_database_url.DBConfig) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.get("NAME") or "postgres",
        "USER": parsed.get("USER", ""),
        "PASSWORD": parsed.get("PASSWORD", ""),
        "HOST": parsed.get("HOST", ""),
        "PORT": str(parsed.get("PORT", "")),
        # Django's connection pool (psycopg_pool), not a new connection per query. Under
        # ASGI each request's sync code may run in a thread of its own, so persistent
        # per-thread connections (CONN_MAX_AGE) would be left behind in finished threads;
        # Django's docs advise the pool there. Connections are checked before reuse.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        # The URL's query (`?sslmode=require`, even `?pool=false`) has the last word.
        "OPTIONS": {"pool": _pool_options(), **_last_values(parsed.get("OPTIONS", {}))},
        # Lets parallel runs on one server keep apart (DATABASE_TEST_NAME=test_mine).
        "TEST": {"NAME": os.environ.get("DATABASE_TEST_NAME")},
    }


def _last_values(options: dict[str, Any]) -> dict[str, Any]:
    # dj-database-url gives a repeated query key (`?a=1&a=2`) as a list; the last one counts.
    return {key: value[-1] if isinstance(value, list) else value for key, value in options.items()}


def _pool_options() -> dict[str, Any]:
    # Django adds `check=ConnectionPool.check_connection` itself (CONN_HEALTH_CHECKS).
    return {
        "min_size": 1,
        # The bus writer and the replay readers each keep one; requests borrow and return.
        "max_size": int(os.environ.get("AGENTSTREAM_DB_POOL_SIZE", "20")),
        # A request waits this long for a connection before it fails (503 on the API, 4503 on
        # a WebSocket): short, so a database outage gets a fast answer, not a hanging one.
        "timeout": float(os.environ.get("AGENTSTREAM_DB_POOL_TIMEOUT", "1.5")),
    }


def channel_layers(redis_url: str | None) -> dict[str, Any]:
    """Return CHANNEL_LAYERS: channels-redis for a `redis://` URL, else the in-memory layer.

    With Redis, the pub/sub layer by default: the layer is only agentstream's doorbell, and
    pub/sub delivers it with one round trip and no per-message polling; the core layer's
    per-message BZPOPMIN loop tops out near 1,000 messages/s per process (docs/transports.md).
    `AGENTSTREAM_REDIS_LAYER=core` picks the core layer. Several comma-separated URLs are
    several Redis servers: the layer shards its channels and groups over them.
    """
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    hosts = [url.strip() for url in redis_url.split(",") if url.strip()]
    for url in hosts or [redis_url]:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(f"REDIS_URL={url!r}: expected redis://host:port/db")
    prefix = os.environ.get("AGENTSTREAM_CHANNEL_PREFIX", "agentstream")
    kind = os.environ.get("AGENTSTREAM_REDIS_LAYER", "pubsub")
    if kind == "pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": hosts, "prefix": prefix},
            }
        }
    if kind != "core":
        raise ImproperlyConfigured(f"AGENTSTREAM_REDIS_LAYER={kind!r}: expected pubsub or core")
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": hosts,
                "prefix": prefix,
                # Streams re-join their group while they live; this only bounds a dead
                # process's leftovers.
                "group_expiry": 86400,
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
