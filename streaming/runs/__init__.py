"""Runs: the session lifecycle above the event log.

Creating sessions (`sessions`), the workflow registry (`workflows`), launching and cancelling
runs (`control`), the process's runner (`process`), leases and the sweep of dead runners
(`leases`, `sweep`), and the worker (`worker`). See docs/runner.md and docs/architecture.md.
"""
