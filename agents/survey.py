"""The codebase survey as a registered workflow: its entry point, lanes and report.

``project/settings.py`` registers it: ``AGENTSTREAM_WORKFLOWS = {"survey":
"agents.survey.SURVEY"}``. This module stays light: the pages import it to draw the lanes, and the
entry point (which imports LangGraph) is loaded only when a session runs.
"""

from __future__ import annotations

from streaming.runs.workflows import Lane, Workflow

SURVEY = Workflow(
    entry="agents.workflow.run_workflow",
    description=(
        "A supervisor routes a workspace survey to research, architect, codesmith and reviewer; "
        "codesmith writes the Markdown report."
    ),
    lanes=(
        Lane(name="supervisor", label="Supervisor", color="#7b4bd1"),
        Lane(name="research", label="Research", color="#1c86c8"),
        Lane(name="architect", label="Architect", color="#1f9a8a"),
        Lane(name="codesmith", label="Codesmith", color="#d4782a"),
        Lane(name="reviewer", label="Reviewer", color="#b2407e"),
    ),
    report_lane="codesmith",
)
