"""Settings from the environment, as docs/protocol.md's configuration table gives them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project import env

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_url_relative_to_the_project_and_configured_for_concurrent_writers():
    db = env.database("sqlite:///db.sqlite3", base_dir=Path("/srv/app"))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/app/db.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5


def test_sqlite_url_with_an_absolute_path():
    assert env.database("sqlite:////var/data/x.sqlite3", base_dir=Path("/srv"))["NAME"] == (
        "/var/data/x.sqlite3"
    )


def test_postgres_url_uses_a_health_checked_connection_pool():
    db = env.database("postgres://u%40x:p%3Aw@db.local:6543/agents?sslmode=require", Path("/"))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u@x",
        "p:w",
        "db.local",
        "6543",
        "agents",
    )
    assert db["OPTIONS"]["sslmode"] == "require"
    # Django's pool (health-checked connections), not a connection per query or per thread.
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"]["max_size"] >= 10
    assert db["CONN_HEALTH_CHECKS"] is True


def test_sqlite_entry_in_full_with_its_test_database_beside_it(monkeypatch):
    monkeypatch.delenv("DATABASE_TEST_NAME", raising=False)
    assert env.database("sqlite:///data/my%20db.sqlite3", base_dir=Path("/srv/app")) == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/srv/app/data/my db.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {"NAME": "/srv/app/data/test_my db.sqlite3"},
    }
    monkeypatch.setenv("DATABASE_TEST_NAME", "/tmp/mine.sqlite3")
    assert env.database("sqlite:///db.sqlite3", Path("/srv"))["TEST"] == {
        "NAME": "/tmp/mine.sqlite3"
    }


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_entry_in_full_for_each_scheme(monkeypatch, scheme):
    monkeypatch.setenv("DATABASE_TEST_NAME", "test_mine")
    monkeypatch.setenv("AGENTSTREAM_DB_POOL_SIZE", "12")
    monkeypatch.setenv("AGENTSTREAM_DB_POOL_TIMEOUT", "2.5")
    assert env.database(f"{scheme}://app:s%40cr%2Fe%3At%23@db.local:5433/agents", Path("/")) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "agents",
        "USER": "app",
        "PASSWORD": "s@cr/e:t#",
        "HOST": "db.local",
        "PORT": "5433",
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 12, "timeout": 2.5}},
        "TEST": {"NAME": "test_mine"},
    }


def test_postgres_url_without_name_port_or_password(monkeypatch):
    monkeypatch.delenv("DATABASE_TEST_NAME", raising=False)
    db = env.database("postgres://postgres@127.0.0.1", Path("/"))
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["PORT"]) == ("postgres", "postgres", "", "")
    assert db["TEST"] == {"NAME": None}


def test_postgres_url_with_a_socket_directory_as_its_host():
    db = env.database("postgres://%2Fvar%2Frun%2Fpostgresql/agents", Path("/"))
    assert (db["HOST"], db["NAME"]) == ("/var/run/postgresql", "agents")


def test_postgres_query_options_are_typed_and_override_the_pool():
    db = env.database(
        "postgres://h/db?connect_timeout=5&server_side_binding=true&pool=false&sslmode=prefer"
        "&sslmode=require",
        Path("/"),
    )
    # Django compares server_side_binding with `is True` and skips a falsy pool; of a repeated
    # key, the last one counts.
    assert db["OPTIONS"] == {
        "pool": False,
        "connect_timeout": 5,
        "server_side_binding": True,
        "sslmode": "require",
    }


def test_unknown_database_scheme_is_a_clear_error():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database("mysql://x/y", Path("/"))


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x/y",
        "postgis://h/db",
        "http://example.com/db",
        "",
        "sqlite://",
        "sqlite://:memory:",
        "postgres://h:notaport/db",
    ],
)
def test_unsupported_database_url_is_a_clear_error(url):
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL=.*: use sqlite:///"):
        env.database(url, Path("/"))


def test_channel_layer_is_in_memory_without_redis_and_channels_redis_with_it():
    assert env.channel_layers(None)["default"]["BACKEND"].endswith("InMemoryChannelLayer")
    redis = env.channel_layers("redis://127.0.0.1:6379/0")["default"]
    assert redis["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert redis["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/0"]


def test_the_core_redis_layer_can_be_chosen(monkeypatch):
    monkeypatch.setenv("AGENTSTREAM_REDIS_LAYER", "core")
    redis = env.channel_layers("redis://127.0.0.1:6379/0")["default"]
    assert redis["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert redis["CONFIG"]["capacity"] >= 100
    monkeypatch.setenv("AGENTSTREAM_REDIS_LAYER", "carrier-pigeon")
    with pytest.raises(ImproperlyConfigured, match="AGENTSTREAM_REDIS_LAYER"):
        env.channel_layers("redis://127.0.0.1:6379/0")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.channel_layers("http://nope")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("0", False), ("False", False)]
)
def test_flags(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.flag("X_FLAG", not expected) is expected


def test_a_bad_flag_is_refused(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env.flag("X_FLAG", True)


def _settings_in_child(extra: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    keep = {"PATH", "HOME", "PYTHONPATH", "LANG"}
    child_env = {k: v for k, v in os.environ.items() if k in keep} | extra
    child_env["PYTHONPATH"] = str(ROOT)
    code = f"import project.settings as s; print({expr})"
    return subprocess.run(
        [sys.executable, "-c", code], env=child_env, capture_output=True, text=True, check=False
    )


def test_defaults_with_no_environment_are_sqlite_and_in_memory():
    out = _settings_in_child(
        {}, "s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], s.DEBUG"
    )
    assert out.returncode == 0, out.stderr
    engine, backend, debug = out.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert backend == "channels.layers.InMemoryChannelLayer"
    assert debug == "True"


def test_production_without_a_secret_key_is_refused():
    out = _settings_in_child({"DJANGO_DEBUG": "0"}, "s.SECRET_KEY")
    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY" in out.stderr


def test_secure_turns_on_https_only_cookies_and_hsts():
    out = _settings_in_child(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_SECURE": "1"},
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "True"]


def test_several_redis_urls_shard_the_layer(monkeypatch):
    urls = "redis://10.0.0.1:6379/0, redis://10.0.0.2:6379/0"
    for kind in ("pubsub", "core"):
        monkeypatch.setenv("AGENTSTREAM_REDIS_LAYER", kind)
        layer = env.channel_layers(urls)["default"]
        assert layer["CONFIG"]["hosts"] == ["redis://10.0.0.1:6379/0", "redis://10.0.0.2:6379/0"]
    with pytest.raises(ImproperlyConfigured, match="http://x"):
        env.channel_layers("redis://10.0.0.1:6379/0,http://x")


def test_workflows_from_the_environment_are_added_to_the_built_in_ones(monkeypatch):
    builtin = {"survey": "agents.survey.SURVEY"}
    monkeypatch.delenv("AGENTSTREAM_WORKFLOWS", raising=False)
    assert env.workflows("AGENTSTREAM_WORKFLOWS", builtin) == builtin
    monkeypatch.setenv("AGENTSTREAM_WORKFLOWS", "triage=my.flows.TRIAGE, chat = my.chat.run")
    assert env.workflows("AGENTSTREAM_WORKFLOWS", builtin) == {
        "survey": "agents.survey.SURVEY",
        "triage": "my.flows.TRIAGE",
        "chat": "my.chat.run",
    }
    monkeypatch.setenv("AGENTSTREAM_WORKFLOWS", "survey=my.flows.MINE")
    with pytest.raises(ImproperlyConfigured, match="survey is built in"):
        env.workflows("AGENTSTREAM_WORKFLOWS", builtin)
    for bad in ("triage", "=my.flows.X", "triage="):
        monkeypatch.setenv("AGENTSTREAM_WORKFLOWS", bad)
        with pytest.raises(ImproperlyConfigured, match=r"name=module\.attr"):
            env.workflows("AGENTSTREAM_WORKFLOWS", builtin)
