"""Where a form may send the browser back to: a path on this site, never another site.

Forms carry a `next` (or back) value from the page they were on. A link that sets it to
`//evil.example`, `/\\evil.example`, `https://evil.example` or `javascript:...` must not turn a
trusted staff form into a jump to another site, so every view that redirects to a value from the
request asks this module.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def same_site_path(value: str | None) -> str | None:
    """The value when it is a path on this site (with its query), else None."""
    if not value or not value.startswith("/") or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    # With no allowed host, only URLs without a host and without a scheme pass; this also refuses
    # "//host", "/\\host" and the other spellings browsers read as another site.
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return None
    return value


def next_path(request: HttpRequest, fallback: str, field: str = "next") -> str:
    """The request's `next` (POST first, then the query string) if it is safe, else `fallback`."""
    value = request.POST.get(field) or request.GET.get(field)
    return same_site_path(value) or fallback
