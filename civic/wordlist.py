"""A configurable list of words that send new content to the moderation queue.

Matching content is not refused: it waits for a planner, like pre-moderated content, so a false
match costs a delay rather than a lost contribution. Words match whole words, case-insensitively;
an entry ending in "*" matches any word starting with it ("idiot*" matches "idioter").
"""

import re
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for word in words:
        word = word.strip().lower()
        if not word:
            continue
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def matches(*texts: str) -> list[str]:
    """The listed words found in the texts, each once, in order of appearance."""
    pattern = _pattern(tuple(getattr(settings, "MODERATION_WORD_LIST", ()) or ()))
    if pattern is None:
        return []
    found: list[str] = []
    for text in texts:
        for match in pattern.finditer(text or ""):
            word = match.group(0).lower()
            if word not in found:
                found.append(word)
    return found


def needs_review(*texts: str) -> bool:
    return bool(matches(*texts))
