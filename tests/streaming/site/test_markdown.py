"""streaming/site/markdown.py: Markdown to sanitised HTML, the project's only mark_safe."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString

from streaming.site.markdown import render_report

ROOT = Path(settings.BASE_DIR)


def test_renders_markdown_tables_code_and_links():
    html = render_report(
        "# Title\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n"
        "[docs](https://example.com) and **bold**"
    )
    assert isinstance(html, SafeString)
    assert "<h1>Title</h1>" in html
    assert '<td align="right">2</td>' in html
    assert "<pre><code>x = 1\n</code></pre>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>' in html
    assert "<strong>bold</strong>" in html


def test_raw_html_in_the_source_is_shown_as_text():
    html = render_report("File <img src=x onerror=alert(1)>.py\n\n<script>alert(2)</script>")
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<img" not in html
    assert "<script" not in html


def test_dangerous_urls_and_attributes_are_removed():
    html = render_report(
        '[x](javascript:alert(1)) [y](data:text/html,hi) ![i](https://e.com/a.png "t")'
    )
    assert "javascript:" not in html
    assert "data:" not in html
    assert "<img" not in html  # images are not in the allow-list: nothing loads from elsewhere


def test_code_spans_keep_angle_brackets_as_text():
    assert "<code>&lt;b onmouseover=x&gt;</code>" in render_report("`<b onmouseover=x>`")


def test_render_report_holds_the_projects_only_mark_safe():
    users = [
        path.relative_to(ROOT).as_posix()
        for folder in ("streaming", "agents", "project")
        for path in (ROOT / folder).rglob("*.py")
        # The workspaces are code the agents analyse (`demo` copies Django's there), not ours.
        if "workspaces" not in path.relative_to(ROOT).parts
        and "mark_safe(" in path.read_text(encoding="utf-8")
    ]
    assert users == ["streaming/site/markdown.py"]
