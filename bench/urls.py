"""URLconf for load tests (ROOT_URLCONF=bench.urls): the whole site plus one trivial view.

The trivial view passes through the same server, middleware stack (sessions, CSRF exemption
aside, locale, auth, messages) and settings as the real pages but does no work of its own, so
its throughput is the ceiling our pages are compared against in bench/RESULTS.md.
"""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from civic.urls import handler403, handler404, handler500
from civic.urls import urlpatterns as site_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@csrf_exempt
def trivial(request):
    return JsonResponse({"ok": True}, status=201 if request.method == "POST" else 200)


urlpatterns = [path("bench/trivial", trivial, name="bench-trivial"), *site_urlpatterns]
