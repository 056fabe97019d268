"""Route each request to the municipality its host name belongs to (civic.tenancy)."""

from django.conf import settings
from django.http import HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.html import escape
from django.utils.translation.trans_real import parse_accept_lang_header

from . import tenancy

# Before a municipality is known there is no language to pick: the page says it in all three.
NOT_SERVED = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Not found</title>"
    "<h1>No municipality is served at this address</h1>"
    "<p>Check the address: {host} is not the address of a municipality on this site.</p>"
    "<p lang=da>Ingen kommune har denne adresse. Tjek adressen.</p>"
    "<p lang=nb>Ingen kommune har denne adressen. Sjekk adressen.</p>"
)


# The load balancer's health check asks by the server's own address, which is no municipality's;
# the API schema is the same at every host.
UNSCOPED_PATHS = frozenset({"/healthz", "/api/schema/"})


class MunicipalityMiddleware:
    """Activates the request's municipality for everything the request does (scoped managers,
    roles, branding, cache keys) and sets `request.municipality` (a tenancy.Served).

    A host that is no municipality's gets a 404 naming nothing else. A streamed answer (an
    export, the archive) is produced after the view returns, so it is produced inside the
    municipality too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in UNSCOPED_PATHS:
            return self.get_response(request)
        host = request.get_host()
        served = tenancy.for_host(host)
        if served is None:
            return HttpResponseNotFound(NOT_SERVED.format(host=escape(host)))
        request.municipality = served
        with tenancy.activate(served.id):
            response = self.get_response(request)
        if getattr(response, "streaming", False):
            response.streaming_content = _inside(served.id, response.streaming_content)
        return response


def _inside(municipality_id, chunks):
    with tenancy.activate(municipality_id):
        yield from chunks


class MunicipalityLocaleMiddleware(LocaleMiddleware):
    """Django's choice of language (the visitor's pick, then the browser's), with the
    municipality's own language where Django would fall back to the installation's default."""

    def process_request(self, request):
        super().process_request(request)
        served = getattr(request, "municipality", None)
        if served is None or not served.language:
            return
        offered = served.languages or tuple(code for code, _name in settings.LANGUAGES)
        if _asked_for_a_language(request) and request.LANGUAGE_CODE in offered:
            return
        # Nothing of ours asked for, or a language this municipality does not offer: its own.
        fallback = served.language if served.language in offered else offered[0]
        translation.activate(fallback)
        request.LANGUAGE_CODE = translation.get_language()


def _asked_for_a_language(request) -> bool:
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return True
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code.split("-")[0].lower() in supported or code.lower() in supported:
            return True
    return False
