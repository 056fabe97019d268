"""Address search for the map widgets: /api/v1/geocode/ and /api/v1/geocode/reverse/."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from civic import query_params, ratelimit

from . import geocoding


class GeocoderThrottle(SimpleRateThrottle):
    """Per person (or per IP when signed out), so one visitor cannot spend the site's share of
    the geocoding service's rate limit."""

    scope = "geocode"

    def get_rate(self):
        return settings.GEOCODER_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:  # the address read through our trusted proxies, not a header the client wrote
            ident = ratelimit.client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class GeocodeView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [GeocoderThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses={200: OpenApiTypes.OBJECT},
        summary="Search an address or place name",
    )
    def get(self, request):
        query = " ".join(
            query_params.search_text(
                request.query_params.get("q"), name="q", max_length=None
            ).split()
        )
        if len(query) < 2:
            raise ValidationError({"q": _("Type at least two characters to search.")})
        if len(query) > geocoding.MAX_QUERY_LENGTH:
            raise ValidationError(
                {
                    "q": _("The search is too long (at most %(limit)d characters).")
                    % {"limit": geocoding.MAX_QUERY_LENGTH}
                }
            )
        places = geocoding.geocode(query)
        return Response({"results": [place.as_dict() for place in places]})


class ReverseGeocodeView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [GeocoderThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.NUMBER, required=True),
            OpenApiParameter("lon", OpenApiTypes.NUMBER, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="The address nearest to a point",
    )
    def get(self, request):
        latitude = request.query_params.get("lat")
        longitude = request.query_params.get("lon")
        if latitude is None or longitude is None:
            raise ValidationError({"location": _("Give both lat and lon.")})
        place = geocoding.reverse(latitude, longitude)
        return Response({"result": place.as_dict() if place else None})
