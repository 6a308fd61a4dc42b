"""Numbers agree in grammar, and a cut list says how much of it is shown."""

from __future__ import annotations

from agents.wording import count, listing, of, shown


def test_counts_agree_with_their_nouns():
    assert count(1, "Python module") == "1 Python module"
    assert count(2, "Python module") == "2 Python modules"
    assert count(1_234, "file") == "1,234 files"
    assert count(0, "import cycle") == "0 import cycles"
    assert count(3, "dependency") == "3 dependencies"


def test_a_cut_list_says_so():
    assert of(25, 140) == "25 of 140"
    assert of(3, 3) == "3"
    assert shown(25, 140) == " (25 of 140)"
    assert shown(3, 3) == ""
    assert listing(["`a`", "`b`", "`c`"]) == "`a`, `b` and `c`"
    assert listing(["`a`", "`b`"], 140) == "`a`, `b` (2 of 140)"
