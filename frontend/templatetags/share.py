"""`{% load share %}{% share_buttons title %}`: the share buttons for the page being shown."""

from django import template
from django.utils.translation import gettext as _

from frontend.share import TEXT_MAX, MastodonShareForm, share_links

register = template.Library()


@register.inclusion_tag("frontend/_share.html", takes_context=True)
def share_buttons(context, text: str = "", *, idea: bool = False):
    """`text` goes with the address; `idea=True` says what it is ("Idea: …")."""
    request = context["request"]
    # The page without its query string: filters and "?comment=" are not what people share.
    url = request.build_absolute_uri(request.path)
    if idea:
        text = _("Idea: %(title)s") % {"title": text}
    text = str(text)[:TEXT_MAX]
    return {
        "url": url,
        "links": share_links(url, text),
        "mastodon_form": MastodonShareForm(initial={"path": request.path, "text": text}),
        "request": request,
    }
