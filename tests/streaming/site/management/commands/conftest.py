"""The commands' tests run on a workspace root in a temporary folder (with a copy of the shipped
`sample`), so `demo` prepares its showcase there, never inside the checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _workspaces_in_tmp(settings, tmp_path):
    root = tmp_path / "workspaces"
    shutil.copytree(Path(settings.BASE_DIR) / "agents" / "workspaces" / "sample", root / "sample")
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(root)
    return root
