"""While the database is unreachable (a restart, a fail-over), answer 503 with Retry-After
instead of a 500 page, so browsers, proxies and API clients know to come back shortly.

Only connection-level errors count (Django's OperationalError and InterfaceError): a failed
constraint or a programming error is still a 500. Nothing is half-written either way, because
each service runs in one transaction that the database rolls back when the connection drops.
"""

import logging

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
_MARK = "_civic_database_unavailable"


def is_database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def _remember(sender, request=None, **kwargs):
    """Errors raised inside other middleware never reach process_exception; the signal that
    Django sends before rendering its 500 page lets __call__ recognise them."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None and is_database_unavailable(exc):
        setattr(request, _MARK, True)


got_request_exception.connect(_remember, dispatch_uid="civic.middleware_db")


def unavailable_response(request) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # A self-contained page: the site's templates would reach for the session and the
        # database again.
        title = escape(_("Try again in a moment"))
        response = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f"<body><main><h1>{title}</h1><p>{escape(message)}</p></main></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """First in MIDDLEWARE, so that it sees every other layer's answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            logger.warning("database unavailable: %s", exception)
            return unavailable_response(request)
        return None
