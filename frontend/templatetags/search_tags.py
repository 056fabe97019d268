"""Search results with the words found marked: every piece of the visitor's or an author's text
is escaped first, and only the <mark> around it is markup."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_SPACE = re.compile(r"\s+")


def _pattern(words) -> re.Pattern | None:
    words = [w for w in (words or []) if w]
    if not words:
        return None
    # Longest first, so "havnesauna" is marked whole rather than as "sauna" inside it.
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE)


def _excerpt(text: str, pattern: re.Pattern | None, length: int) -> str:
    """`length` characters of `text` around its first match (from the start without one)."""
    if len(text) <= length:
        return text
    start = 0
    match = pattern.search(text) if pattern else None
    if match and match.end() > length - 20:
        start = max(0, match.start() - length // 4)
        space = text.find(" ", start)
        if 0 <= space < match.start():
            start = space + 1
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@register.simple_tag
def highlight(text, words, length: int = 0) -> str:
    """`text` (cut to `length` characters around the first word found, when given) with every
    word found in <mark>."""
    text = _SPACE.sub(" ", str(text or "")).strip()
    pattern = _pattern(words)
    if length:
        text = _excerpt(text, pattern, int(length))
    if pattern is None:
        return escape(text)
    pieces, position = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above
