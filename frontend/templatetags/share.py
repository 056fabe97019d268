"""`{% load share %}{% share_buttons title %}`: the share buttons for the page being shown."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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
    form = MastodonShareForm(initial={"path": request.path, "text": text})
    return {
        "url": url,
        "links": share_links(url, text),
        "mastodon_form": form,
        "hidden_fields": hidden_fields(form, ("path", "text")),
        "request": request,
    }


def hidden_fields(form, names) -> str:
    """The form's hidden fields as their widgets render them (an empty value has no value
    attribute), without the widget templates: they cost a shared page more than the rest of its
    share section."""
    return mark_safe(  # noqa: S308 - every part goes through format_html
        "".join(
            format_html('<input type="hidden" name="{}" value="{}" id="{}">', *parts)
            if parts[1] not in ("", None)
            else format_html('<input type="hidden" name="{}" id="{}">', parts[0], parts[2])
            for parts in (
                (form.add_prefix(name), form.initial[name], form[name].auto_id) for name in names
            )
        )
    )
