"""The questions people ask of a codebase, recognised offline from the session's query.

`understand` returns a `Question`: its kind (which modules are central, what depends on X, what X
depends on, import cycles, the largest modules, entry points, modules nothing imports, where a
name is defined, third-party packages, an overview) and its subject as the user wrote it (a module,
a dotted tail, a file path, a name). A query that matches none of them is ``unknown``: the answer
says so plainly and names what the survey can answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_S = r"(?P<s>`[^`]+`|[\w./\\-]+(?:\s+(?:module|package|file|class|function))?)"
_ARTICLE = r"(?:the\s+|a\s+|an\s+|module\s+|package\s+|file\s+|class\s+|function\s+|method\s+)*"

#: (kind, patterns): tried in this order; a pattern with ``(?P<s>…)`` captures the subject.
PATTERNS: list[tuple[str, list[str]]] = [
    (
        "definition",
        [
            rf"\bwhere\s+(?:is|are)\s+{_ARTICLE}{_S}\s+(?:defined|declared|implemented)",
            rf"\bwhich\s+(?:module|file)s?\s+(?:defines?|declares?|implements?)\s+{_ARTICLE}{_S}",
            rf"\b(?:definition|declaration)\s+of\s+{_ARTICLE}{_S}",
            rf"\bfind\s+(?:the\s+)?(?:class|function|method|definition)\s+(?:of\s+)?{_S}",
        ],
    ),
    (
        "dependents",
        [
            rf"\bwhat\s+(?:else\s+)?(?:depends|relies)\s+on\s+{_ARTICLE}{_S}",
            rf"\b(?:who|what|which\s+\w+)\s+(?:imports?|uses?|needs?|calls?)\s+{_ARTICLE}{_S}",
            rf"\b(?:dependents|importers|users|callers)\s+of\s+{_ARTICLE}{_S}",
            rf"\bwhat\s+(?:would\s+)?breaks?\s+if\s+\w+\s+(?:change|remove|delete|modify|touch)"
            rf"\w*\s+{_ARTICLE}{_S}",
            rf"\b(?:impact|blast\s+radius)\s+of\s+(?:changing\s+|removing\s+)?{_ARTICLE}{_S}",
            rf"\bwhere\s+(?:is|are)\s+{_ARTICLE}{_S}\s+(?:imported|used)\b",
            rf"\bwhich\s+\w+\s+depend\s+on\s+{_ARTICLE}{_S}",
        ],
    ),
    (
        "dependencies",
        [
            rf"\bwhat\s+does\s+{_ARTICLE}{_S}\s+(?:depend\s+on|import|use|need|rely\s+on)",
            rf"\bwhat\s+(?:is|are)\s+{_ARTICLE}{_S}\s+(?:depending\s+on|importing)",
            rf"\b(?:dependencies|imports)\s+of\s+{_ARTICLE}{_S}",
            rf"\bwhat\s+(?:modules\s+)?(?:is|are)\s+imported\s+by\s+{_ARTICLE}{_S}",
        ],
    ),
    (
        "cycles",
        [
            rf"\bis\s+{_ARTICLE}{_S}\s+(?:in|part\s+of)\s+(?:an?\s+)?(?:import\s+)?(?:cycle|loop)",
            r"\b(?:cycles?|cyclic|circular|import\s+loops?|mutually)\b",
        ],
    ),
    (
        "entry_points",
        [
            r"\bentry[\s_-]?points?\b",
            r"\bhow\s+(?:do|can|would)\s+(?:i|you|we|one)\s+(?:run|start|launch)\b",
            r"\bwhere\s+does\s+(?:it|the\s+\w+|execution)\s+start\b",
            r"\bconsole[\s_-]scripts?\b",
            r"\b(?:__main__|main)\s+(?:modules?|scripts?)\b",
        ],
    ),
    (
        "third_party",
        [
            r"\bthird[\s-]party\b",
            r"\bexternal\s+(?:packages?|librar(?:y|ies)|dependenc(?:y|ies))\b",
            r"\b(?:undeclared|declared|missing)\b.*\bdependenc",
            r"\brequirements\b",
            r"\bwhich\s+(?:packages|libraries)\b",
            r"\bdependencies\b",
        ],
    ),
    (
        "unused",
        [
            r"\bunused\b",
            r"\bdead\s+(?:code|modules?|files?)\b",
            r"\b(?:nothing|nobody|no\s+one|no\s+module)\s+imports?\b",
            r"\b(?:not|never)\s+imported\b",
            r"\borphan(?:ed|s)?\b",
        ],
    ),
    (
        "largest",
        [
            r"\b(?:largest|biggest|longest|heaviest)\b",
            r"\bmost\s+lines\b",
        ],
    ),
    (
        "central",
        [
            r"\bcentral\b",
            r"\bcore\s+modules?\b",
            r"\bmost\s+(?:imported|important|used|depended[\s-]on)\b",
            r"\bhubs?\b",
            r"\bkey\s+modules?\b",
            r"\bheart\s+of\b",
        ],
    ),
    (
        "overview",
        [
            r"\b(?:map|survey|overview|summar\w*|describe|inventory|structure|architecture)\b",
            r"\b(?:what(?:'s|\s+is)\s+in|tell\s+me\s+about|report\s+on|look\s+at)\b",
        ],
    ),
]
_COMPILED = [(kind, [re.compile(p, re.IGNORECASE) for p in ps]) for kind, ps in PATTERNS]
_SUBJECT_NOUN = re.compile(r"\s+(?:module|package|file|class|function)$", re.IGNORECASE)
#: Subjects that name the whole workspace, not a module: "the dependencies of the project".
_VAGUE = frozenset(
    {"project", "this", "it", "workspace", "codebase", "code", "repo", "repository", "app", "me"}
)

#: What the survey can answer, as the answer to an unknown question lists it.
CAN_ANSWER = [
    "which modules are central",
    "what depends on a module, or what it depends on",
    "which modules import one another (import cycles)",
    "the largest modules",
    "the entry points",
    "modules nothing imports",
    "where a name is defined",
    "the third-party packages used, and which of them are declared",
]


@dataclass(frozen=True)
class Question:
    """A recognised question: its kind, its subject as written (or None), the query."""

    kind: str
    subject: str | None
    text: str

    def understood(self) -> str:
        """Return the question as the survey understood it, in a sentence's words."""
        s = f"`{self.subject}`" if self.subject else ""
        return {
            "central": "which modules are central (most imported, and what depends on them)",
            "dependents": f"what depends on {s}, directly and transitively",
            "dependencies": f"what {s} depends on, directly and transitively",
            "cycles": f"whether {s} is in an import cycle"
            if s
            else "which modules import one another (import cycles)",
            "largest": "which modules are the largest",
            "entry_points": "where the workspace starts (its entry points)",
            "unused": "which modules nothing imports",
            "definition": f"where {s} is defined",
            "third_party": "which third-party packages it uses, and which it declares",
            "overview": "an overview of the workspace",
        }.get(self.kind, "a question the survey's data cannot answer")

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "understood": self.understood()}

    @classmethod
    def from_data(cls, data: dict[str, Any], text: str) -> Question:
        return cls(kind=data["kind"], subject=data.get("subject"), text=text)


def _subject(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw.startswith("`"):
        return raw.strip("`").strip() or None
    subject = _SUBJECT_NOUN.sub("", raw.strip()).rstrip(".,;:!?")
    return subject or None


def recorded(query: str, data: dict[str, Any] | None) -> Question:
    """Return the question the supervisor recorded in the workflow's state (`data`), or read it
    from the `query` when none is recorded yet."""
    return Question.from_data(data, query) if data else understand(query)


def understand(query: str) -> Question:
    """Return the question `query` asks (kind ``unknown`` when it is none the survey knows)."""
    text = " ".join(query.split())
    for kind, patterns in _COMPILED:
        for pattern in patterns:
            match = pattern.search(text)
            if match is None:
                continue
            subject = _subject(match.groupdict().get("s"))
            if subject is not None and subject.lower() in _VAGUE:
                subject = None
            if kind in {"definition", "dependents", "dependencies"} and subject is None:
                continue
            return Question(kind=kind, subject=subject, text=query)
    return Question(kind="unknown", subject=None, text=query)
