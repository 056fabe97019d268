"""Template tags for the map widgets: tile configuration and translated strings. The data on a
map belongs to the app that owns it (ideas.templatetags.ideas_tags)."""

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from civic import branding, kept

register = template.Library()


@register.simple_tag
def map_config():
    """Tiles, attribution and limits as in effect (the back office's map settings, else
    LEAFLET_CONFIG), as a JSON script element."""
    brand = branding.effective()
    config = {
        "tileUrl": brand.tile_url,
        "attribution": brand.attribution,
        "maxZoom": brand.max_zoom,
        "minZoom": brand.min_zoom,
        "center": [brand.center_lat, brand.center_lon],
        "zoom": brand.zoom,
        "clusterBelowZoom": settings.MAP_CLUSTER_BELOW_ZOOM,
        "strings": map_strings(),
    }
    return json_script(config, "map-config")


@register.simple_tag(takes_context=True)
def map_assets(context, consultation_id: int):
    """maps/_assets.html for a page of one consultation. It is the same on every idea page of
    the consultation, and its map configuration (some fifty translated strings) cost an idea page
    built on a cache miss a tenth of its time, so each worker renders it once per consultation
    version, language and host (civic.kept): a change of the municipality's map or branding
    moves the versions on."""

    def render() -> str:
        return get_template("maps/_assets.html").render({})

    request = context.get("request")
    if request is None:
        return mark_safe(render())  # noqa: S308 - a template's own output
    return mark_safe(kept.kept_part(request, consultation_id, "map-assets", render))  # noqa: S308


def map_strings() -> dict:
    """Every string the map script shows, translated in the page's language."""
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "loading": _("Loading ideas…"),
        "serviceDown": _("The map service “%(name)s” is not answering; the map works without it."),
        "planFailed": _(
            "The plan layer “%(name)s” could not be loaded. "
            "The list beside the map names its features."
        ),
        "loadFailed": _("The ideas could not be loaded. The list below the map still works."),
        "showing": _("%(count)s ideas in this part of the map."),
        "showingOne": _("1 idea in this part of the map."),
        "none": _("No ideas in this part of the map."),
        "clustered": _("%(count)s ideas in this part of the map. Zoom in to list them one by one."),
        "clusterLabel": _("%(count)s ideas here. Select to zoom in."),
        "clusterLabelOne": _("1 idea here. Select to zoom in."),
        "supports": _("Supports: %(count)s"),
        "openIdea": _("Read the idea"),
        "openConsultation": _("Go to the consultation"),
        "openShowing": _("%(count)s open consultations on the map."),
        "openShowingOne": _("1 open consultation on the map."),
        "openNone": _("No open consultation has a place on the map."),
        "pinPlaced": _("Pin placed at latitude %(lat)s, longitude %(lon)s."),
        "pinOutside": _(
            "That spot is outside the consultation's area. Place the pin inside the outline."
        ),
        "pinLabel": _("Your idea's location"),
        "searching": _("Searching…"),
        "noResults": _("No address found. You can still place the pin on the map."),
        "searchFailed": _("Address search is not available right now. Place the pin on the map."),
        "resultsFound": _("%(count)s addresses found."),
        "resultFoundOne": _("1 address found."),
        "addressFound": _("Address: %(label)s"),
        "nearbyHeading": _("Is your idea one of these?"),
        "nearbyIntro": _(
            "Ideas near your pin. If one of them is yours, support it instead of writing it again."
        ),
        "nearbyDistance": _("%(distance)s m away"),
        "thisIsMine": _("This is my idea"),
        "thisIsMineHint": _("Supports and follows it, then opens it."),
        "supportFailed": _("That did not work: %(reason)s"),
        "areaSaved": _("The area was updated."),
        "areaInvalid": _("The text in the area field is not valid GeoJSON."),
        "areaFromFile": _("The file's shapes are shown on the map and copied into the field."),
        "drawPolygon": _("Draw an outline"),
        "drawRectangle": _("Draw a rectangle"),
        "editShapes": _("Edit the outline"),
        "deleteShapes": _("Delete shapes"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "finish": _("Finish"),
        "deleteLastPoint": _("Delete last point"),
        "clearAll": _("Clear all"),
        "drawStart": _("Click to start drawing the outline."),
        "drawCont": _("Click to continue drawing the outline."),
        "drawEnd": _("Click the first point to close the outline."),
        "drawRectStart": _("Click and drag to draw a rectangle."),
        "editHint": _("Drag the corners to change the outline."),
        "removeHint": _("Click a shape to remove it."),
        "drawError": _("The outline must not cross itself."),
    }


@register.simple_tag
def api_url_pattern(name: str) -> str:
    """An API URL with `{id}` where an object's id goes, for scripts to fill in."""
    return reverse(name, kwargs={"pk": 0}).replace("/0/", "/{id}/")


@register.filter
def json_data(value, element_id):
    return json_script(value, element_id)
