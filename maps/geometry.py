"""Points and areas: validation of coordinates and of consultation areas, containment checks.

Areas are stored as GeoJSON (RFC 7946, longitude first) and checked with shapely. Every pin
that arrives from a browser or the API goes through `validate_point` and `check_point_in_area`
on the server.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.prepared import prep


def validate_point(longitude, latitude) -> tuple[float, float]:
    """Return (longitude, latitude) as floats, or raise ValidationError on 'location'."""
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError):
        raise ValidationError({"location": _("The coordinates must be numbers.")}) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError({"location": _("The coordinates must be finite numbers.")})
    if not -90 <= lat <= 90:
        raise ValidationError({"location": _("The latitude must be between -90 and 90.")})
    if not -180 <= lon <= 180:
        raise ValidationError({"location": _("The longitude must be between -180 and 180.")})
    return lon, lat


def check_point_in_area(area: dict | None, longitude: float, latitude: float) -> None:
    """Refuse a point outside the consultation's area. No area means anywhere is fine."""
    lon, lat = validate_point(longitude, latitude)
    if not area:
        return
    polygon = _prepared_area(area)
    if not polygon.covers(Point(lon, lat)):
        raise ValidationError(
            {
                "location": _(
                    "The pin is outside the consultation's area. "
                    "Place it inside the outlined area on the map."
                )
            }
        )


def _prepared_area(area: dict):
    return prep(shape(area))
