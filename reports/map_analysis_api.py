"""The planner's map analysis over the API: heat cells and the contents of a selection.

GET /api/v1/consultations/{slug}/heat.geojson?kind=ideas|supports|comments&zoom=&bbox=
    Heat cells (rectangles with `weight`) folded on the server; never the points themselves.
POST /api/v1/consultations/{slug}/selection/
    {"geometry": GeoJSON Polygon} | {"feature": id, "metres": n} | {"bbox": "w,s,e,n"} |
    {"place": "...", "radius": n}, with optional "page": counts of each kind inside, and the first
    (or the asked) page of ideas and comments. POST because a drawn polygon is too long for a
    query string; it changes nothing.

Planners of the consultation and councillors only (reports.permissions.can_analyse_map); a bad
parameter is a 400 naming the field and the reason.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from civic.httpcache import mark_private
from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer
from ideas.feeds import GeoJSONRenderer
from maps import analysis
from maps.clustering import parse_bbox, parse_zoom

from . import map_analysis
from .permissions import can_analyse_map


def analysable_consultation(user, slug: str) -> Consultation:
    """404 for a draft the person may not see, 403 for anyone who may not analyse it."""
    consultation = consultation_for_viewer(user, slug, queryset=Consultation.objects.all())
    if not can_analyse_map(user, consultation):
        raise PermissionDenied(_("Only the consultation's planners and councillors may do this."))
    return consultation


class HeatView(APIView):
    """Heat cells of ideas, supports (weighted by their count) or comments for one map view."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, required=True),
            OpenApiParameter("zoom", OpenApiTypes.INT, description="Map zoom 0-22"),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="west,south,east,north"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug: str):
        consultation = analysable_consultation(request.user, slug)
        params = request.query_params
        kind = analysis.countable(params.get("kind") or "").code
        collection = map_analysis.heat(
            consultation,
            kind=kind,
            zoom=parse_zoom(params.get("zoom")),
            bbox=parse_bbox(params.get("bbox")),
        )
        return mark_private(Response(collection))


def region_from_request(consultation: Consultation, data) -> map_analysis.Region:
    """The region a request describes: a drawn geometry, a plan feature, a box or a place."""
    if not isinstance(data, dict):
        raise ValidationError({"geometry": _("Send a JSON object.")})
    if data.get("geometry") is not None:
        return map_analysis.region_from_geometry(consultation, data["geometry"])
    if data.get("feature") not in (None, ""):
        return map_analysis.region_from_feature(consultation, data["feature"], data.get("metres"))
    if data.get("bbox") not in (None, ""):
        return map_analysis.region_from_bbox(consultation, str(data["bbox"]))
    if data.get("place") not in (None, ""):
        return map_analysis.region_from_place(consultation, str(data["place"]), data.get("radius"))
    raise ValidationError(
        {"geometry": _("Draw a selection, or choose a plan feature, a box or a place.")}
    )


class SelectionView(APIView):
    """What lies inside a selection: counts of every kind and a page of ideas and comments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, slug: str):
        consultation = analysable_consultation(request.user, slug)
        data = request.data
        region = region_from_request(consultation, data)
        page = map_analysis.parse_page(data.get("page"))
        contents = map_analysis.selection_contents(consultation, region, page)
        contents["geometry"] = map_analysis.region_geojson(region)
        return mark_private(Response(contents))
