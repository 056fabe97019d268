"""Addresses that come from outside (social platforms, stored settings) made safe to link to.

Anything a platform answers, or an administrator types, may end up in an `href` or `src`.
Only absolute http and https addresses with a host are kept: `javascript:`, `data:`,
`vbscript:`, relative paths and any other scheme become the empty string, so a template can
leave the link out instead of rendering a script. This is for addresses outside the site; the
same-site `next` parameter has its own check.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

SCHEMES = ("http", "https")
# Longer addresses are no real post or profile; the database columns hold 500 to 600.
MAX_LENGTH = 2000

_validator = URLValidator(schemes=list(SCHEMES))


def safe_url(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """`value` when it is an absolute http(s) address with a host, else ""."""
    if not isinstance(value, str):
        return ""
    candidate = value.strip()
    if not candidate or len(candidate) > max_length:
        return ""
    try:
        _validator(candidate)
    except ValidationError:
        return ""
    return candidate


def validate_external_url(value: str) -> None:
    """Model and form validator: refuse anything but an absolute http(s) address."""
    if value and not safe_url(value):
        raise ValidationError(
            _("Enter an address that starts with http:// or https:// and names a host."),
            code="external_url",
        )
