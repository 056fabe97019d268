"""Debate pieces for other apps' pages: an idea's comments and a consultation's topics and
key figures. `{% load debate_tags %}{% idea_comments idea %}`."""

from django import template
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ..forms import CommentForm
from ..rendering import ThreadRenderer

register = template.Library()


@register.simple_tag(takes_context=True)
def thread(context, comment):
    """A comment and its replies; the renderer is made once per page and reused."""
    renderer = context.render_context.get("debate_thread_renderer")
    if renderer is None:
        renderer = ThreadRenderer(
            context["request"],
            comments_url=context["comments_url"],
            may_reply=bool(
                context.get("may_comment") and not context.get("comments_closed_reason")
            ),
            plan_map_url=context.get("plan_map_url", ""),
        )
        context.render_context["debate_thread_renderer"] = renderer
    return renderer.thread(comment)


@register.simple_tag(takes_context=True)
def idea_comments(context, idea):
    """The comment threads of an idea with the form to join them."""
    from ..views import thread_context

    request = context["request"]
    thread = thread_context(request, idea)
    # Only someone who may comment gets the form (debate/_comment_form.html): building it for
    # every anonymous reader cost an idea page on a cache miss a twentieth of its time.
    if thread["may_comment"] and not thread["comments_closed_reason"]:
        thread["comment_form"] = CommentForm(
            with_stance=False, may_answer_officially=thread["may_manage"]
        )
    return render_to_string("debate/_idea_comments.html", thread, request=request)


@register.inclusion_tag("debate/_plan_comments.html", takes_context=True)
def plan_comments(context, consultation, layers):
    """Beside the consultation's map: each plan feature with its number of comments, a link to
    comment on it (the keyboard and no-script way to what the map's popup offers) and to read
    them; and the map script's configuration for the popups and the circles of comments. Two
    queries, whatever the number of features and comments."""
    from django.urls import reverse

    from ..selectors import plan_comment_counts, plan_topic

    topic = plan_topic(consultation) if layers else None
    if topic is None:
        return {"topic": None}
    counts = plan_comment_counts(consultation)
    rows = [
        (layer, [(feature, counts.get(feature.pk, 0)) for feature in layer.listed_features])
        for layer in layers
    ]
    topic_url = topic.get_absolute_url()
    return {
        "topic": topic,
        "topic_url": topic_url,
        "rows": rows,
        "config": {
            "feed": reverse("api-plan-comments-geojson", kwargs={"slug": consultation.slug}),
            "topic": topic_url,
            "strings": {
                "comment": _("Comment on this"),
                "commentAt": _("Comment on this spot of %(name)s"),
                "count": _("Comments here: %(count)s"),
                "read": _("Read them"),
            },
        },
        "request": context.get("request"),
    }
