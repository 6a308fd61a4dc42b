"""The questions people ask of a codebase, recognised offline."""

from __future__ import annotations

import pytest

from agents.questions import understand


@pytest.mark.parametrize(
    ("query", "kind", "subject"),
    [
        ("Which modules are cyclic?", "cycles", None),
        ("Are there circular imports?", "cycles", None),
        ("Is shopkit.cart in an import cycle?", "cycles", "shopkit.cart"),
        ("What depends on pricing?", "dependents", "pricing"),
        ("What depends on the pricing module?", "dependents", "pricing"),
        ("What imports django.db.models.query?", "dependents", "django.db.models.query"),
        ("Which files use `shopkit/storage.py`?", "dependents", "shopkit/storage.py"),
        ("What would break if I change shopkit/pricing.py?", "dependents", "shopkit/pricing.py"),
        ("What does shopkit.cli import?", "dependencies", "shopkit.cli"),
        ("What does the cli module depend on?", "dependencies", "cli"),
        ("dependencies of shopkit/cli.py", "dependencies", "shopkit/cli.py"),
        ("Where is Cart defined?", "definition", "Cart"),
        ("Which module defines total?", "definition", "total"),
        ("What are the entry points?", "entry_points", None),
        ("How do I run it?", "entry_points", None),
        ("Which modules does nothing import?", "unused", None),
        ("Is there dead code?", "unused", None),
        ("Which third-party packages does it use?", "third_party", None),
        ("What are the dependencies of the project?", "third_party", None),
        ("Are any declared dependencies unused?", "third_party", None),
        ("What are the largest modules?", "largest", None),
        ("Which modules are central?", "central", None),
        ("What is the most imported module?", "central", None),
        ("Map the sample workspace", "overview", None),
        ("Who wrote this code?", "unknown", None),
        ("Is the code secure?", "unknown", None),
    ],
)
def test_questions_are_recognised_with_their_subject(query, kind, subject):
    question = understand(query)
    assert (question.kind, question.subject) == (kind, subject)
    assert question.text == query


def test_the_understood_question_names_its_subject():
    assert understand("What depends on pricing?").understood() == (
        "what depends on `pricing`, directly and transitively"
    )
    assert understand("Who wrote this?").understood() == (
        "a question the survey's data cannot answer"
    )
