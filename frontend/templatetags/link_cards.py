"""`{% link_card_tags %}`: the Open Graph and Twitter card tags of whatever page is shown."""

from django import template

from frontend.cards import card_for_context

register = template.Library()


@register.inclusion_tag("frontend/_link_card.html", takes_context=True)
def link_card_tags(context):
    request = context.get("request")
    return {
        "card": card_for_context(context),
        "page_path": request.path if request is not None else "/",
        "SITE_NAME": context.get("SITE_NAME", ""),
        "SITE_URL": context.get("SITE_URL", ""),
    }
