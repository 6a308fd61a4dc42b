"""The reviewer's checks: numbers traced to the data, Python files compiled."""

from __future__ import annotations

import asyncio

import pytest

from agents.files import python_files
from agents.report import MORE
from agents.reviewer import (
    Compiled,
    canonical,
    compile_all,
    compile_findings,
    listed_compile_failures,
    numbers_in,
    stated_compile_count,
    traceable_numbers,
)
from streaming import bound_session, flush
from tests.conftest import make_workspace
from tests.sessions import astored_events


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


def test_compile_failures_are_what_ast_parse_accepts_and_compile_refuses(tmp_path):
    """A file that does not even parse is the architect's to report: listed once, not twice."""
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
    compiled = compile_all(python_files(root), keep=10)
    failures = {f["path"]: f for f in compiled.failures.items}
    assert set(failures) == {"script.py", "loop.py"}
    assert (compiled.compiled, compiled.unparsed) == (4, 1)
    assert failures["script.py"]["line"] == 2
    assert "outside function" in failures["script.py"]["message"]


def test_listed_compile_failures_reads_the_reports_section():
    report = (
        "## Files that do not compile\n\nintro\n\n- `a.py`, line 1: x\n- ``we`ird.py``, line 2: y\n"
        "\n## Skipped files\n\n- `b.py`: big\n"
    )
    assert listed_compile_failures(report) == {"a.py", "we`ird.py"}


def _broken(tmp_path, count: int):
    files = {f"m{i:03d}.py": "x = 1\nreturn x\n" for i in range(count)}
    return make_workspace(tmp_path, "py2", {**files, "ok.py": "x = 1\n"})


def test_compile_all_keeps_the_first_failures_in_walk_order_and_counts_them_all(tmp_path):
    compiled = compile_all(python_files(_broken(tmp_path, 30)), keep=5)
    assert [f["path"] for f in compiled.failures.items] == [f"m{i:03d}.py" for i in range(5)]
    assert (compiled.failures.count, compiled.failures.more, compiled.compiled) == (30, 25, 31)


def _report(listed: list[str], total: str | None) -> str:
    lines = [f"- `{name}`, line 2: 'return' outside function" for name in listed]
    if total is not None:
        lines.append(f"{MORE}{total} files in all do not compile.")
    return "## Files that do not compile\n\nintro\n\n" + "\n".join(lines) + "\n"


def test_a_cut_compile_list_must_name_the_first_failures_and_state_their_total(tmp_path):
    compiled: Compiled = compile_all(python_files(_broken(tmp_path, 30)), keep=5)
    first = [f"m{i:03d}.py" for i in range(5)]
    assert stated_compile_count(_report(first, "30")) == "30"
    assert list(compile_findings(_report(first, "30"), compiled)) == []
    wrong = list(compile_findings(_report(first, "29"), compiled))
    assert [(f["kind"], f["number"]) for f in wrong] == [("compile_count_wrong", "29")]
    silent = list(compile_findings(_report(first, None), compiled))
    assert [(f["kind"], f["number"]) for f in silent] == [("compile_count_wrong", None)]
    shifted = list(compile_findings(_report([f"m{i:03d}.py" for i in range(1, 6)], "30"), compiled))
    assert [(f["kind"], f.get("path")) for f in shifted] == [("compile_failure_missing", "m000.py")]


def test_an_uncut_compile_list_needs_no_total(tmp_path):
    compiled = compile_all(python_files(_broken(tmp_path, 3)), keep=5)
    report = _report(["m000.py", "m001.py", "m002.py"], None)
    assert list(compile_findings(report, compiled)) == []


ROWS = 25  # AGENTSTREAM_REPORT_ROWS's default


@pytest.mark.django_db(transaction=True)
async def test_a_file_gone_since_it_was_listed_is_skipped_by_the_reviewer(
    amake_session, user, tmp_path
):
    root = make_workspace(tmp_path, "w", {"a.py": "return 1\n", "b.py": "x = 1\n", "c.py": "y\n"})
    entries = list(python_files(root))
    (root / "b.py").unlink()
    session = await amake_session(user)
    with bound_session(session.id):
        compiled = await asyncio.to_thread(compile_all, entries, keep=ROWS)
        await flush()
    assert [f["path"] for f in compiled.failures.items] == ["a.py"]
    assert compiled.compiled == 2
    reason = "unreadable (No such file or directory): not compiled"
    assert compiled.unreadable.items == [{"path": "b.py", "reason": reason, "bytes": 6}]
    assert f"Skipped b.py: {reason}" in [e["msg"] for e in await astored_events(session.id)]


def test_the_warnings_compiling_a_workspace_raises_are_not_failures(tmp_path):
    """`is` with a literal warns (SyntaxWarning), an invalid escape too (DeprecationWarning);
    with warnings as errors, as in these tests, compile() would raise them as SyntaxErrors."""
    root = make_workspace(tmp_path, "w", {"a.py": "x = 1\nprint(x is 1)\n", "b.py": "s = '\\d'\n"})
    compiled = compile_all(python_files(root), keep=10)
    assert (compiled.compiled, compiled.failures.count, compiled.unparsed) == (2, 0, 0)
