"""`{% link_card_tags %}`: the Open Graph and Twitter card tags of whatever page is shown."""

from django import template

from civic.external_urls import safe_url
from frontend.cards import card_for_context

register = template.Library()


@register.inclusion_tag("frontend/_link_card.html", takes_context=True)
def link_card_tags(context):
    request = context.get("request")
    page_path = request.path if request is not None else "/"
    return {
        "card": card_for_context(context),
        # The page's address as other sites will link it; "" (no tag) unless http(s).
        "page_url": safe_url(f"{context.get('SITE_URL', '')}{page_path}"),
        "SITE_NAME": context.get("SITE_NAME", ""),
    }
