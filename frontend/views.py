"""The link-card pictures that pages name in their Open Graph and Twitter card tags."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from frontend import cards

# Platforms fetch a card once and keep it; an hour keeps a changed title from lingering.
CARD_MAX_AGE = 3600


@require_safe
def card_image(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """The 1200x630 PNG of a public object's card; 404 for anything the public may not see."""
    if kind not in cards.KINDS:
        raise Http404
    picture = cards.picture_for(kind, key)
    if picture is None:
        raise Http404
    etag = f'"{picture.digest()}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        png, _ = cards.card_png(picture)
        response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    return response
