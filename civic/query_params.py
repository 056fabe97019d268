"""Reading query parameters that come straight from the address bar: page numbers and free text.

What a fuzzer (or a curious visitor) sends must end in a 400 with the parameter and the reason,
never reach the database as something it refuses: PostgreSQL rejects NUL in text, and an OFFSET
beyond a bigint fails the query. Errors are Django ValidationErrors keyed by the parameter, which
the API's exception handler answers as 400 and HTML views put on their form.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Far beyond any real list (a million pages of comments), far below a bigint OFFSET.
MAX_PAGE = 1_000_000


def page_number(raw: str | None, *, name: str = "page", default: int = 1) -> int:
    """A page number from 1 to MAX_PAGE; absent means `default`."""
    return bounded_int(raw, name=name, minimum=1, maximum=MAX_PAGE, default=default)


def bounded_int(raw: str | None, *, name: str, minimum: int, maximum: int, default: int) -> int:
    if raw is None or raw == "":
        return default
    text = raw.strip()
    # ASCII digits only: str.isdigit() alone lets "²" through, which int() then refuses.
    if not (text.isascii() and text.removeprefix("-").isdigit()):
        raise ValidationError({name: _("Give a whole number.")})
    # Past 20 digits it is out of any range here; int() of thousands of digits is slow or refused.
    number = int(text) if len(text) <= 20 else maximum + 1
    if not minimum <= number <= maximum:
        raise ValidationError(
            {
                name: _("Give a whole number from %(minimum)d to %(maximum)d.")
                % {"minimum": minimum, "maximum": maximum}
            }
        )
    return number


def optional_id(raw: str | None, *, name: str) -> int | None:
    """An object id (a positive integer) or None when absent."""
    if raw is None or raw == "":
        return None
    return bounded_int(raw, name=name, minimum=1, maximum=2**63 - 1, default=0)


def search_text(raw: str | None, *, name: str = "search", max_length: int | None = 200) -> str:
    """Free text for a search box, cut at `max_length` (None: the caller checks the length).
    NUL is refused because PostgreSQL cannot hold it in text."""
    text = (raw or "").strip()
    if "\x00" in text:
        raise ValidationError({name: _("Null characters are not allowed.")})
    return text if max_length is None else text[:max_length]


def filter_choices(form) -> tuple[dict, bool]:
    """What a page's filter form asks for: its cleaned data when it was sent and is valid, {}
    when nothing was sent; and whether it is valid (a page answers 400 with the form's errors
    when it is not)."""
    if not form.is_bound:
        return {}, True
    valid = form.is_valid()
    return (form.cleaned_data if valid else {}), valid
