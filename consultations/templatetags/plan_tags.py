"""The consultation's plan layers and map services for its map: the list beside the map and
the configuration the map script reads (styles, feed addresses, services)."""

from django import template

from maps.services_config import image_source, leaflet_options

from .. import selectors
from ..api import plan_layer_feed_url, plan_layer_style

register = template.Library()


@register.simple_tag
def plan_map(consultation) -> dict:
    """{"layers": [...], "config": {...}} for the consultation's map: three queries at most,
    whatever the number of layers and features."""
    layers = selectors.plan_layers_for_map(consultation)
    services = list(consultation.map_services.all())
    config = {
        "layers": [
            {
                "id": layer.pk,
                "name": layer.name,
                "legend": layer.legend,
                "url": plan_layer_feed_url(_with(layer, consultation)),
                "style": plan_layer_style(layer),
            }
            for layer in layers
        ],
        "services": [leaflet_options(service) for service in services],
    }
    # The page's Content-Security-Policy lets these hosts' images in (civic.csp_middleware).
    sources = " ".join(sorted({image_source(service.url) for service in services}))
    return {"layers": layers, "services": services, "config": config, "image_sources": sources}


def _with(layer, consultation):
    layer.consultation = consultation
    return layer
