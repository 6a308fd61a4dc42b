"""The runs' system checks report bad settings with stable ids, workflow registrations too."""

from __future__ import annotations

import pytest

from streaming.runs.checks import check_run_settings


def ids(errors) -> set[str]:
    return {error.id for error in errors}


def test_the_projects_run_settings_pass():
    assert check_run_settings() == []


def test_bad_run_settings_are_reported(settings, tmp_path):
    settings.AGENTSTREAM_RUNNER = "cloud"
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(tmp_path / "missing")
    settings.AGENTSTREAM_MAX_CONCURRENT_RUNS = 0
    settings.AGENTSTREAM_LEASE_SECONDS = "30"
    settings.AGENTSTREAM_DEFAULT_WORKSPACE = ""
    assert ids(check_run_settings()) == {
        "agentstream.E002",
        "agentstream.E004",
        "agentstream.E005",
        "agentstream.E006",
        "agentstream.E008",
    }


def test_worker_mode_needs_a_shared_layer(settings):
    settings.AGENTSTREAM_RUNNER = "worker"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert "agentstream.E003" in ids(check_run_settings())


def test_no_workflow_registered_is_an_error(settings):
    settings.AGENTSTREAM_WORKFLOWS = {}
    settings.AGENTSTREAM_DEFAULT_WORKFLOW = None
    assert ids(check_run_settings()) == {"agentstream.E301"}


@pytest.mark.parametrize(
    ("workflows", "code"),
    [
        ({"Bad Name": "agents.survey.SURVEY"}, "agentstream.E302"),
        ({"survey": "agents.nowhere.SURVEY"}, "agentstream.E303"),
        ({"survey": "agents.survey.__doc__"}, "agentstream.E303"),
        ({"survey": "tests.streaming.runs.test_checks.TWICE"}, "agentstream.E305"),
        ({"survey": "tests.streaming.runs.test_checks.GREY"}, "agentstream.E306"),
        ({"survey": "tests.streaming.runs.test_checks.NO_REPORTER"}, "agentstream.E307"),
    ],
)
def test_bad_workflow_registrations_are_reported(settings, workflows, code):
    settings.AGENTSTREAM_WORKFLOWS = workflows
    settings.AGENTSTREAM_DEFAULT_WORKFLOW = None
    assert ids(check_run_settings()) == {code}


def test_a_default_workflow_that_is_not_registered_is_an_error(settings):
    settings.AGENTSTREAM_DEFAULT_WORKFLOW = "nope"
    assert ids(check_run_settings()) == {"agentstream.E304"}


async def _entry(session):
    return {}


def _workflow(**kwargs):
    from streaming.runs.workflows import Lane, Workflow

    lanes = kwargs.pop("lanes", (Lane(name="a"),))
    return Workflow(entry=_entry, lanes=tuple(lanes), **kwargs)


def __getattr__(name):  # declarations built on first use: the app registry is ready by then
    from streaming.runs.workflows import Lane

    if name == "TWICE":
        return _workflow(lanes=[Lane(name="a"), Lane(name="a")])
    if name == "GREY":
        return _workflow(lanes=[Lane(name="a", color="grey")])
    if name == "NO_REPORTER":
        return _workflow(report_lane="b")
    raise AttributeError(name)
