"""The transports' system checks report bad settings with stable ids."""

from __future__ import annotations

import pytest

from streaming.transports.checks import check_transport_settings


def ids(errors) -> set[str]:
    return {error.id for error in errors}


def test_the_projects_transport_settings_pass():
    assert check_transport_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("AGENTSTREAM_SSE_KEEPALIVE_SECONDS", 60, "agentstream.E201"),
        ("AGENTSTREAM_SSE_KEEPALIVE_SECONDS", 0, "agentstream.E201"),
        ("AGENTSTREAM_WS_MAX_CLIENT_FRAME", "64k", "agentstream.E202"),
        ("AGENTSTREAM_WS_BATCH_BYTES", True, "agentstream.E202"),
    ],
)
def test_bad_transport_settings_are_reported(settings, name, value, code):
    setattr(settings, name, value)
    assert ids(check_transport_settings()) == {code}
