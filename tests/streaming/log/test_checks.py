"""The log's system checks report bad settings with stable ids."""

from __future__ import annotations

from streaming.log.checks import check_log_settings


def ids(errors) -> set[str]:
    return {error.id for error in errors}


def test_the_projects_log_settings_pass():
    assert check_log_settings() == []


def test_bad_log_settings_are_reported(settings):
    settings.AGENTSTREAM_EMIT_WITHOUT_SESSION = "shout"
    settings.AGENTSTREAM_MAX_QUEUE = 0
    settings.AGENTSTREAM_IDLE_POLL_SECONDS = -1
    settings.AGENTSTREAM_CLIENT_BUFFER = 10
    assert ids(check_log_settings()) == {
        "agentstream.E001",
        "agentstream.E005",
        "agentstream.E006",
        "agentstream.E007",
    }
