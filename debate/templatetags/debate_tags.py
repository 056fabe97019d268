"""Debate pieces for other apps' pages: an idea's comments and a consultation's topics and
key figures. `{% load debate_tags %}{% idea_comments idea %}`."""

from django import template
from django.template.loader import render_to_string

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
    thread["comment_form"] = CommentForm(
        with_stance=False, may_answer_officially=thread["may_manage"]
    )
    return render_to_string("debate/_idea_comments.html", thread, request=request)
