"""Report pieces for other pages: `{% load reports_tags %}{% reports_link consultation %}` puts a
"Summary and exports" link on the consultation hub for those who may read the summary."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ..permissions import can_read_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def reports_link(context, consultation):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_read_summary(user, consultation):
        return ""
    return render_to_string(
        "reports/_summary_link.html", {"consultation": consultation}, request=request
    )


@register.inclusion_tag("reports/_chart.html")
def chart_figure(chart, heading_level: int = 3):
    """A chart with its title, its description and the same numbers as a table."""
    # The SVG is built by reports.charts, which escapes every label and value it writes.
    return {"chart": chart, "svg": mark_safe(chart.svg()), "heading_level": heading_level}  # noqa: S308
