"""Static pictures of a consultation's map, for exports and social posts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from consultations.models import Consultation
from consultations.selectors import picture_shapes
from maps.static_map import DEFAULT_SIZE, Pin, clamp_size, render_png, render_svg

from .models import Idea

# A picture with more dots than this is a blot; the newest ideas are drawn.
MAX_PINS = 20_000


def _map_data(slug: str) -> tuple[Consultation, list[Pin]]:
    # Drafts are never drawn: this picture is meant to be shared.
    consultation = get_object_or_404(Consultation.objects.visible(), slug=slug)
    rows = (
        Idea.objects.published()
        .filter(consultation=consultation)
        .order_by("-id")
        .values_list("longitude", "latitude", "category__colour")[:MAX_PINS]
    )
    pins = [Pin(lon, lat, colour or "") for lon, lat, colour in rows]
    return consultation, pins


def _size(request: HttpRequest) -> tuple[int, int]:
    return clamp_size(
        request.GET.get("width", DEFAULT_SIZE[0]), request.GET.get("height", DEFAULT_SIZE[1])
    )


@require_GET
@cache_control(public=True, max_age=300)
def static_svg(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, pins = _map_data(slug)
    svg = render_svg(
        consultation.area,
        pins,
        size=_size(request),
        title=consultation.title,
        shapes=picture_shapes(consultation),
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=300)
def static_png(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, pins = _map_data(slug)
    png = render_png(
        consultation.area,
        pins,
        size=_size(request),
        shapes=picture_shapes(consultation),
    )
    return HttpResponse(png, "image/png")
