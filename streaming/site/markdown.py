"""The one place Markdown becomes HTML: a workflow's report, rendered and sanitised on the server.

Agent text is untrusted (it may come from a language model or from file names), so raw HTML in
the Markdown is escaped to text before rendering, and the rendered HTML then goes through nh3
(a maintained sanitiser) with an allow-list of the tags Markdown produces. `render_report` holds
the project's only `mark_safe`; pages fetch its output from
`streaming.site.views.report` (the fragment and the Markdown).
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

#: What Markdown (with the tables and fenced-code extensions) produces; no images, no forms.
ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "a"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_REPORT_CHARS = 1_000_000


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists"],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    # Raw HTML in the source is shown as text, not passed through (Python-Markdown's documented
    # way to escape it): a file named `<img src=x onerror=…>` appears by its name.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_report(source: str) -> SafeString:
    """Return Markdown `source` as sanitised HTML, safe to put in a page as it is."""
    html = _markdown().convert(source[:MAX_REPORT_CHARS])
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 sanitised by nh3 just above: the project's only mark_safe
