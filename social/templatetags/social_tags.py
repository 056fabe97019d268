from django import template

from social import selectors
from social.permissions import can_use_composer

register = template.Library()


@register.inclusion_tag("social/_consultation_social.html", takes_context=True)
def consultation_social(context, consultation):
    """The hub's "also discussed on" links and the imported public comments (two queries)."""
    user = context.get("user")
    posts = selectors.public_posts(consultation)
    return {
        "consultation": consultation,
        "posts": posts,
        "comment_count": sum(len(post.visible_comments) for post in posts),
        "can_compose": bool(user) and can_use_composer(user, consultation),
    }


@register.simple_tag
def engagement(post):
    """(label, value) rows of a post's figures; value None reads "not available"."""
    return selectors.engagement_rows(post)
