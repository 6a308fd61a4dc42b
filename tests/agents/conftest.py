"""Fixtures of the agents' tests: a fresh runner per test, reports in a temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _runner_per_test(_fresh_runner) -> None:
    """Every test here starts without a runner and ends with its runs stopped."""


@pytest.fixture(autouse=True)
def report_dir(settings, tmp_path):
    settings.AGENTSTREAM_REPORT_DIR = str(tmp_path / "reports")
    return tmp_path / "reports"


@pytest.fixture
def workspace_root(settings, tmp_path):
    """An empty workspace root of the test's own (AGENTSTREAM_WORKSPACE_ROOT)."""
    root = tmp_path / "workspaces"
    root.mkdir()
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(root)
    return root
