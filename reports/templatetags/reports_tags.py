"""Report pieces for templates: a chart with its table."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.inclusion_tag("reports/_chart.html")
def chart_figure(chart, heading_level: int = 3):
    """A chart with its title, its description and the same numbers as a table."""
    # The SVG is built by reports.charts, which escapes every label and value it writes.
    return {"chart": chart, "svg": mark_safe(chart.svg()), "heading_level": heading_level}  # noqa: S308
