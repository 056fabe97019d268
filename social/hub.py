"""The social section of the consultation hub (consultations.hub): "also discussed on" links
the imported public comments (two queries) and the answers published from the comment inbox
(one query)."""

from django.template.loader import render_to_string

from . import selectors
from .permissions import can_use_composer


def also_discussed_on(request, consultation) -> str:
    posts = selectors.public_posts(consultation)
    answers = selectors.official_answers_from_inbox(consultation)
    return render_to_string(
        "social/_consultation_social.html",
        {
            "consultation": consultation,
            "posts": posts,
            "comment_count": sum(len(post.visible_comments) for post in posts),
            "can_compose": can_use_composer(request.user, consultation),
            "answers": answers,
        },
        request=request,
    )
