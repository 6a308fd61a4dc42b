"""Import cycles as components, and the imports whose removal breaks them most."""

from __future__ import annotations

from agents.cycles import breakers, largest_left, strongly_connected, within


def test_cycles_are_the_strongly_connected_components_largest_first():
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},
        "d": set(),
        "e": {"f"},
        "f": {"e"},
        "g": {"g", "outside"},
    }
    assert strongly_connected(graph) == [["a", "b", "c"], ["e", "f"]]


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    graph = {f"m{i}": {f"m{i + 1}"} for i in range(5000)}
    graph["m5000"] = {"m0"}
    [cycle] = strongly_connected(graph)
    assert len(cycle) == 5001


def test_the_breakers_are_the_imports_that_hold_most_of_a_component_together():
    """A ring a → b → c → d → a with a shortcut back c → b: only b → c lies on both loops, so
    removing it breaks everything; removing the shortcut leaves the whole ring."""
    sub = within({"a": {"b"}, "b": {"c"}, "c": {"d", "b"}, "d": {"a"}}, "abcd")
    assert largest_left(sub, ("c", "b")) == 4
    assert largest_left(sub, ("d", "a")) == 2
    best = breakers(sub, keep=2)
    assert [(b["importer"], b["imported"], b["largest_left"]) for b in best] == [
        ("b", "c", 1),
        ("a", "b", 2),
    ]


def test_a_two_module_cycle_is_broken_by_either_import():
    sub = within({"x": {"y"}, "y": {"x"}}, ["x", "y"])
    assert [b["largest_left"] for b in breakers(sub)] == [1, 1]
