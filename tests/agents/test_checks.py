"""The agents' system checks."""

from __future__ import annotations

import importlib.util

import pytest

from agents.checks import check_agent_settings


def test_the_defaults_pass():
    assert check_agent_settings() == []


@pytest.mark.parametrize("value", [0, -5, "1 MiB", True, 1.5])
def test_a_size_limit_that_is_not_a_positive_integer_is_an_error(settings, value):
    settings.AGENTSTREAM_MAX_FILE_BYTES = value
    assert [e.id for e in check_agent_settings()] == ["agentstream.E101"]


def test_a_model_name_without_the_model_packages_is_a_warning(settings):
    settings.AGENTSTREAM_LLM = "openai:gpt-4o-mini"
    ids = [e.id for e in check_agent_settings()]
    if importlib.util.find_spec("langchain") is None:
        assert ids == ["agentstream.W101"]
    else:
        assert ids == []
