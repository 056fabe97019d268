"""The home page: what the platform is, how to take part, the key figures, everything open on a
map with a list beside it, and the consultations by state (drafts for staff who may see them).

Anonymous visitors get a cached copy (civic.pagecache, scope HOME); every change that the page
shows clears it (civic.changes, Cache.HOME).
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from civic.pagecache import anonymous_page, home_scope
from consultations import permissions as consultation_permissions
from consultations import selectors as consultation_selectors
from debate.selectors import site_figures
from maps.geometry import area_marker
from maps.static_map import Pin, render_svg

CLOSED_PER_PAGE = 12


@require_safe
@anonymous_page(home_scope)
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sections = consultation_selectors.consultation_sections(request.user, now)
    closed_page = Paginator(sections.pop("closed"), CLOSED_PER_PAGE).get_page(
        request.GET.get("closed_page")
    )
    open_consultations = list(sections["open"])
    features = consultation_selectors.open_consultation_features(now)
    on_map = {feature["id"] for feature in features["features"]}
    return render(
        request,
        "frontend/home.html",
        {
            "open_consultations": open_consultations,
            "on_map": on_map,
            "open_features": features,
            "upcoming_consultations": list(sections["upcoming"]),
            "closed_page": closed_page,
            "draft_consultations": list(sections["drafts"]) if "drafts" in sections else None,
            "can_create": consultation_permissions.can_create_consultation(request.user),
            "figures": site_figures(now),
            "now": now,
        },
    )


PICTURE_SIZE = (800, 420)
MARKER_COLOUR = "#1a4f8b"


@require_safe
@cache_control(public=True, max_age=300)
def open_map_picture(request: HttpRequest) -> HttpResponse:
    """The home page's map without JavaScript: every open consultation's outline and marker on
    a plain background (maps.static_map), the picture the <noscript> of the map shows."""
    polygons, pins = [], []
    for area in consultation_selectors.open_consultation_areas():
        point = area_marker(area)
        if point is None:
            continue
        pins.append(Pin(point[0], point[1], MARKER_COLOUR))
        if area["type"] == "Polygon":
            polygons.append(area["coordinates"])
        else:
            polygons.extend(area["coordinates"])
    outline = {"type": "MultiPolygon", "coordinates": polygons} if polygons else None
    svg = render_svg(outline, pins, size=PICTURE_SIZE, title=_("Map of the open consultations"))
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
