"""The workflow registry: what a deployment can run, and how the pages draw it.

The project's settings register workflows by name (``AGENTSTREAM_WORKFLOWS``: name -> a
`Workflow` or the dotted path of one). A workflow declares its lanes (the agents whose events
it emits, with a label and a colour) and which lane's `result` carries its Markdown report; the
pages, the admin's filters and the colours all come from these declarations, so any workflow's
agents are drawn without the site naming them. The entry point is loaded only when a session
runs (it may import LangGraph and take seconds); the declaration itself stays light.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.checks import CheckMessage, Error
from django.utils.module_loading import import_string

from streaming.log.models import Session
from streaming.runs.conf import conf
from streaming.runs.exceptions import UnknownWorkflow

#: A workflow's entry point: awaited with the session; its mapping becomes `completed`'s data.
Entry = Callable[[Session], Awaitable[Mapping[str, Any] | None]]

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
DEFAULT_COLOR = "#5b6170"


@dataclass(frozen=True, kw_only=True)
class Lane:
    """One agent of a workflow as the pages show it."""

    name: str
    label: str = ""
    color: str = DEFAULT_COLOR

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "label": self.label or self.name, "color": self.color}


@dataclass(frozen=True, kw_only=True)
class Workflow:
    """A runnable workflow: its entry point and how it is drawn.

    `entry` is the coroutine function (or its dotted path) that runs a session; `report_lane`
    names the lane whose `result` event carries the report in ``data["report"]`` (None: the
    workflow writes no report).
    """

    entry: Entry | str
    description: str = ""
    lanes: tuple[Lane, ...] = ()
    report_lane: str | None = None
    name: str = field(default="", compare=False)

    def load(self) -> Entry:
        """Return the entry point (importing it the first time: call this off the loop)."""
        entry = self.entry
        return import_string(entry) if isinstance(entry, str) else entry

    def lane(self, name: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol's workflow object (``GET /api/workflows/``)."""
        return {
            "name": self.name,
            "description": self.description,
            "lanes": [lane.to_dict() for lane in self.lanes],
            "report_lane": self.report_lane,
        }


def _resolve(name: str, value: object) -> Workflow:
    target = import_string(value) if isinstance(value, str) else value
    if isinstance(target, Workflow):
        return Workflow(
            entry=target.entry,
            description=target.description,
            lanes=target.lanes,
            report_lane=target.report_lane,
            name=name,
        )
    if inspect.iscoroutinefunction(target):
        return Workflow(entry=target, name=name)
    raise TypeError(f"{value!r} is neither a Workflow nor a coroutine function")


def registry() -> dict[str, Workflow]:
    """Return the registered workflows by name, in the order the settings give them."""
    return {name: _resolve(name, value) for name, value in conf.WORKFLOWS.items()}


def default_name() -> str:
    """Return the name of the workflow a session runs when it names none."""
    default = conf.DEFAULT_WORKFLOW
    if default is not None:
        return default
    names = list(conf.WORKFLOWS)
    if not names:
        raise UnknownWorkflow("no workflow is registered (AGENTSTREAM_WORKFLOWS)")
    return names[0]


def get_workflow(name: str | None = None) -> Workflow:
    """Return the workflow registered as `name` (None: the default); else `UnknownWorkflow`."""
    if name is None:
        name = default_name()
    if not isinstance(name, str) or name not in conf.WORKFLOWS:
        known = ", ".join(conf.WORKFLOWS) or "none"
        raise UnknownWorkflow(f"workflow {str(name)[:64]!r} is not registered (known: {known})")
    return _resolve(name, conf.WORKFLOWS[name])


def all_lanes() -> list[Lane]:
    """Return the lanes of every registered workflow, each name once (the admin's filter)."""
    lanes: dict[str, Lane] = {}
    for workflow in registry().values():
        for lane in workflow.lanes:
            lanes.setdefault(lane.name, lane)
    return list(lanes.values())


def check_registry() -> list[CheckMessage]:
    """Return the system-check errors of ``AGENTSTREAM_WORKFLOWS`` (agentstream.E301…)."""
    workflows = conf.WORKFLOWS
    if not isinstance(workflows, Mapping) or not workflows:
        return [
            Error(
                "AGENTSTREAM_WORKFLOWS must map at least one name to a workflow.",
                hint="e.g. {'survey': 'agents.survey.SURVEY'} in the project's settings.",
                id="agentstream.E301",
            )
        ]
    errors: list[CheckMessage] = []
    for name, value in workflows.items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            errors.append(
                Error(f"Workflow name {name!r} must match {NAME.pattern}.", id="agentstream.E302")
            )
            continue
        try:
            workflow = _resolve(name, value)
        except (ImportError, TypeError) as exc:
            errors.append(Error(f"Workflow {name!r}: {exc}", id="agentstream.E303"))
            continue
        errors.extend(_check_lanes(workflow))
    default = conf.DEFAULT_WORKFLOW
    if default is not None and default not in workflows:
        errors.append(
            Error(
                f"AGENTSTREAM_DEFAULT_WORKFLOW {default!r} is not a registered workflow.",
                id="agentstream.E304",
            )
        )
    return errors


def _check_lanes(workflow: Workflow) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    names = [lane.name for lane in workflow.lanes]
    if len(set(names)) != len(names):
        errors.append(
            Error(f"Workflow {workflow.name!r} declares a lane twice.", id="agentstream.E305")
        )
    for lane in workflow.lanes:
        if not COLOR.fullmatch(lane.color):
            errors.append(
                Error(
                    f"Workflow {workflow.name!r}: lane {lane.name!r} has colour {lane.color!r}; "
                    "use #rrggbb.",
                    id="agentstream.E306",
                )
            )
    if workflow.report_lane is not None and workflow.report_lane not in names:
        errors.append(
            Error(
                f"Workflow {workflow.name!r}: report_lane {workflow.report_lane!r} is not a lane.",
                id="agentstream.E307",
            )
        )
    return errors
