from django import template
from django.utils.safestring import mark_safe

from civic.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render Markdown; the output is sanitised by nh3, so it is safe to mark as such."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised above


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced, for pagination and filters.

    Values go through QueryDict.urlencode, so nothing a visitor puts in the URL is echoed raw.
    """
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
