"""URLconf for load tests (ROOT_URLCONF=bench.urls): the whole site plus one trivial view.

The trivial view passes through the same server, middleware stack (sessions, CSRF exemption
aside, locale, auth, messages) and settings as the real pages but does no work of its own, so
its throughput is the ceiling our pages are compared against in bench/RESULTS.md.
"""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civic.urls import handler403, handler404, handler500
from civic.urls import urlpatterns as site_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@csrf_exempt
def trivial(request):
    return JsonResponse({"ok": True}, status=201 if request.method == "POST" else 200)


class TrivialApiWrite(APIView):
    """The floor of every authenticated API write: DRF with the site's authentication (a token
    checked as the support path checks it), content negotiation and permission check, and no
    work of its own. The support path is compared with it to tell the framework's share of a
    support from the support's own."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response({"ok": True}, status=201)


urlpatterns = [
    path("bench/trivial", trivial, name="bench-trivial"),
    path("bench/trivial-api", TrivialApiWrite.as_view(), name="bench-trivial-api"),
    *site_urlpatterns,
]
