"""System checks report bad agentstream settings with stable ids."""

from __future__ import annotations

from streaming.log.checks import check_settings


def ids(settings_errors) -> set[str]:
    return {error.id for error in settings_errors}


def test_default_settings_pass():
    assert check_settings() == []


def test_bad_values_are_reported(settings, tmp_path):
    settings.AGENTSTREAM_EMIT_WITHOUT_SESSION = "shout"
    settings.AGENTSTREAM_RUNNER = "cloud"
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(tmp_path / "missing")
    settings.AGENTSTREAM_MAX_QUEUE = 0
    assert ids(check_settings()) == {
        "agentstream.E001",
        "agentstream.E002",
        "agentstream.E004",
        "agentstream.E005",
    }


def test_worker_mode_needs_a_shared_layer(settings):
    settings.AGENTSTREAM_RUNNER = "worker"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert "agentstream.E003" in ids(check_settings())
