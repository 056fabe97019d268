"""Failure alerts: a post that failed or waits for a decision is told at once to the people who
can act on it — the channel's owners and the post's author — on the site and by e-mail.

Called from the outbox and the services at the one place each such state is set, inside the
same transaction (the notices disappear with it if it rolls back; mail goes after commit).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civic.notifications import notify
from social.models import PostState, SocialPost

NOTIFY_KIND = "social_failure"

SUBJECTS = {
    PostState.FAILED: _("A social media post failed"),
    PostState.NEEDS_CONFIRMATION: _("A social media post needs your decision"),
}
BODIES = {
    PostState.FAILED: _("The post for {channel} was not published. The platform said: {reason}"),
    PostState.NEEDS_CONFIRMATION: _(
        "We cannot tell whether the post for {channel} went out, or it is long overdue. "
        "Check the channel, then send it again or cancel it. Last answer: {reason}"
    ),
}


def post_trouble_notify(post: SocialPost, state: str, reason: str = "") -> None:
    """Tell the channel's owners and the post's author (each once) that `post` is in `state`."""
    if state not in SUBJECTS:
        return
    post = SocialPost.objects.select_related("channel", "consultation", "created_by").get(
        pk=post.pk
    )
    people = {owner.pk: owner for owner in post.channel.owners.all()}
    if post.created_by is not None:
        people.setdefault(post.created_by.pk, post.created_by)
    if post.consultation is not None:
        url = reverse("social:composer", args=[post.consultation.slug]) + f"#post-{post.pk}-title"
    else:
        url = reverse("social:compose") + f"#post-{post.pk}-title"
    body = format_lazy(
        BODIES[state], channel=str(post.channel), reason=(reason or post.error or "–")[:500]
    )
    for person in people.values():
        notify(recipient=person, kind=NOTIFY_KIND, subject=SUBJECTS[state], body=body, url=url)
