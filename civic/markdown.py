"""Markdown for residents' and planners' texts, rendered and then sanitised.

Rendering first and cleaning the HTML afterwards means nothing a person types, raw HTML
included, reaches a page unless it is on the allow-list below.
"""

from functools import lru_cache

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "h2",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> str:
    """Sanitised HTML of `text`. The same text always gives the same HTML, so each worker keeps
    the last few hundred (a consultation's description is on every build of its page)."""
    return _rendered(str(text or ""))


@lru_cache(maxsize=256)
def _rendered(text: str) -> str:
    html = md.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def markdown_to_text(text: str) -> str:
    """Plain text for e-mails, exports and social posts."""
    return nh3.clean(render_markdown(text), tags=set()).strip()
