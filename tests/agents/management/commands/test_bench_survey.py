"""`manage.py bench_survey`: one timed session, its events counted."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from tests.agents.surveyed import SAMPLE

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_survey_times_each_agent_and_counts_the_events(report_dir):
    out = io.StringIO()
    call_command("bench_survey", "--workspace", "sample", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("machine: ")
    size = sum(path.stat().st_size for path in SAMPLE.rglob("*") if path.is_file())
    assert lines[1] == f"workspace sample: 20 files, {size:,} bytes, 17 Python modules, 27 imports"
    assert re.fullmatch(
        r"session completed in [\d.]+ s \(research [\d.]+ s, architect [\d.]+ s, "
        r"codesmith [\d.]+ s, reviewer [\d.]+ s\)",
        lines[2],
    )
    assert re.fullmatch(
        r"events stored: \d+; progress events: research 20, architect 17, codesmith 22, "
        r"reviewer \d+; largest event data: [\d,]+ bytes",
        lines[3],
    )
