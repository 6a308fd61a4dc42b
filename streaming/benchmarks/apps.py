from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """``bench_bus``, ``bench_transports`` and ``bench_admin``: figures beside a naive baseline."""

    name = "streaming.benchmarks"
    label = "agentstream_benchmarks"
    verbose_name = "Benchmarks"
