"""The project's settings, with the lease of the runs shortened for the worker scenario.

A runworker killed mid-run must see its session end `failed` within twice the lease; with the
default lease (30 s) that scenario alone would take a minute of the suite's eight.
"""

from __future__ import annotations

import os

from project.settings import *  # noqa: F403 the project's settings, unchanged but for the lease

AGENTSTREAM_LEASE_SECONDS = float(os.environ.get("AGENTSTREAM_FAULTS_LEASE_SECONDS", "30"))
