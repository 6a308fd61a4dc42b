"""The reviewer's checks: numbers traced to the data, Python files compiled."""

from __future__ import annotations

from agents.reviewer import (
    canonical,
    compile_failures,
    listed_compile_failures,
    numbers_in,
    traceable_numbers,
)
from tests.agents.support import make_workspace


def test_numbers_are_compared_without_separators_or_trailing_zeros():
    assert canonical("1,234") == "1234"
    assert canonical("100.0") == "100"
    assert canonical("64.8") == "64.8"


def test_traceable_numbers_come_from_values_and_messages_but_not_names():
    data = {
        "files": 11,
        "share": 85.5,
        "flag": True,
        "path": "migrate_v7.py",
        "rows": [{"message": "unterminated string (detected at line 9)", "name": "m3"}],
    }
    assert traceable_numbers(data) == {"11", "85.5", "9"}


def test_numbers_in_code_spans_and_the_quoted_query_are_not_claims():
    report = "> find 99 problems\n\nWe saw `file_42.py` and ``a`7`` in 3 folders, 1,024 bytes.\n"
    assert [token for _, token in numbers_in(report)] == ["3", "1,024"]


def test_compile_failures_include_what_ast_parse_accepts(tmp_path):
    root = make_workspace(
        tmp_path,
        "w",
        {
            "ok.py": "def f():\n    return 1\n",
            "script.py": "x = 1\nreturn x\n",
            "loop.py": "break\n",
            "broken.py": "def (:\n",
        },
    )
    failures = {f["path"]: f for f in compile_failures(root)}
    assert set(failures) == {"script.py", "loop.py", "broken.py"}
    assert failures["script.py"]["line"] == 2
    assert "outside function" in failures["script.py"]["message"]


def test_listed_compile_failures_reads_the_reports_section():
    report = (
        "## Files that do not compile\n\nintro\n\n- `a.py`, line 1: x\n- ``we`ird.py``, line 2: y\n"
        "\n## Skipped files\n\n- `b.py`: big\n"
    )
    assert listed_compile_failures(report) == {"a.py", "we`ird.py"}
