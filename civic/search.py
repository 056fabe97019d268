"""What every search shares: how the visitor's text becomes words, and how words match fields.

Each app searches its own rows (`search_*` in its selectors, with its own visibility rules);
frontend.search puts the groups side by side. Matching is a case-insensitive substring test per
word (`icontains`), every word somewhere in one of the fields, so it works the same on SQLite
and PostgreSQL and finds "sauna" in "havnesauna". SQLite folds the case of ASCII letters only
(Æ/æ, Ø/ø and Å/å are told apart there); PostgreSQL folds every letter.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
# More words than this add nothing but work: the rest are ignored.
MAX_WORDS = 8
# A word shorter than this matches nearly every row ("a", "i"); it is ignored unless the query
# has nothing else.
MIN_WORD_LENGTH = 2


def search_words(text: str | None) -> list[str]:
    """The words to look for, or [] for an empty query; ValidationError past MAX_QUERY_LENGTH."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(
            _("Search for at most %(limit)d characters."),
            code="too_long",
            params={"limit": MAX_QUERY_LENGTH},
        )
    words: list[str] = []
    for word in text.split():
        word = word.strip("\"'()[]{}.,;:!?*")
        if word and word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    longer = [word for word in words if len(word) >= MIN_WORD_LENGTH]
    return (longer or words)[:MAX_WORDS]


def matching(fields: tuple[str, ...], words: list[str]) -> Q:
    """Rows where every word is found in at least one of `fields`; no row for no words."""
    if not words:
        return Q(pk__in=[])
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition
