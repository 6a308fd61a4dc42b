"""Untrusted text in the report's Markdown: file and module names as code spans, lines as text.

File and module names come from the workspace, so they are never written as raw Markdown or
HTML: `code` makes an escaped code span no name can break out of (control characters shown as
``\\xNN``, backticks fenced, ``|`` escaped for tables); `plain` makes text safe for a line.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def code(text: str) -> str:
    """Return `text` as a Markdown code span that no file name can break out of."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """Return untrusted text for a line of Markdown: control characters shown, not obeyed."""
    return _CONTROL.sub(" ", text).strip()


def unquote(span: str) -> str:
    """Return the text a code span written by `code` holds (its fence and padding removed)."""
    fence = len(span) - len(span.lstrip("`"))
    inner = span[fence:-fence] if fence else span
    padded = len(inner) > 2 and inner[0] == inner[-1] == " "
    if padded and "`" in (inner[1], inner[-2]):
        inner = inner[1:-1]
    return inner.replace("\\|", "|")
