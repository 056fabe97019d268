"""While the database is unreachable (a restart, a fail-over), answer 503 with Retry-After
instead of a 500 page, so browsers, proxies and API clients know to come back shortly.

Only connection-level errors count (Django's OperationalError and InterfaceError): a failed
constraint or a programming error is still a 500. Nothing is half-written either way, because
each service runs in one transaction that the database rolls back when the connection drops.

A transaction that lost a race (PostgreSQL's deadlock detector or serialisation check chose it,
or SQLite stayed locked past its timeout) is an OperationalError too, but the database is fine:
that is answered 409 Conflict with a short Retry-After, so a client repeats the same request,
and it is not logged or counted as an outage. The request is not replayed here, because what it
did before the failed transaction (an e-mail, a rate-limit count) would happen twice.
"""

import logging

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
CONFLICT_RETRY_AFTER_SECONDS = 1
_MARK = "_civic_database_unavailable"
_CONFLICT_MARK = "_civic_database_conflict"
# SQLSTATE serialization_failure, deadlock_detected, lock_not_available.
CONFLICT_SQLSTATES = {"40001", "40P01", "55P03"}


def is_transaction_conflict(exc: BaseException) -> bool:
    """A transaction rolled back because it collided with another one; repeating it works."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(exc)  # SQLite's busy timeout ran out


def is_database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) and not is_transaction_conflict(exc)


def _remember(sender, request=None, **kwargs):
    """Errors raised inside other middleware never reach process_exception; the signal that
    Django sends before rendering its 500 page lets __call__ recognise them."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        if is_transaction_conflict(exc):
            setattr(request, _CONFLICT_MARK, True)
        elif is_database_unavailable(exc):
            setattr(request, _MARK, True)


got_request_exception.connect(_remember, dispatch_uid="civic.middleware_db")


def unavailable_response(request) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a moment.")
    return _try_again_response(request, message, status=503, retry_after=RETRY_AFTER_SECONDS)


def conflict_response(request) -> HttpResponse:
    message = _("Someone changed the same thing at the same moment. Please try again.")
    return _try_again_response(
        request, message, status=409, retry_after=CONFLICT_RETRY_AFTER_SECONDS
    )


def _try_again_response(request, message: str, *, status: int, retry_after: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    else:
        # A self-contained page: the site's templates would reach for the session and the
        # database again.
        title = escape(_("Try again in a moment"))
        response = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f"<body><main><h1>{title}</h1><p>{escape(message)}</p></main></body></html>",
            status=status,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """First in MIDDLEWARE, so that it sees every other layer's answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _CONFLICT_MARK, False):
            return conflict_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_transaction_conflict(exception):
            logger.info("transaction conflict, answered 409: %s", exception)
            return conflict_response(request)
        if is_database_unavailable(exception):
            logger.warning("database unavailable: %s", exception)
            return unavailable_response(request)
        return None
