"""HTML of comment threads, built in Python.

A topic page shows hundreds of comments; through a recursive template include each one costs
about a millisecond, which alone would break the page's time budget. Here the fixed texts are
translated once per page and each comment is a few `format_html` calls, escaping every value
exactly as the template engine would. The markup is the one `debate.css` styles.
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from civic.markdown import render_markdown
from civic.reasons import public_reason_label

from .models import DISPLAY_MAX_DEPTH, Comment


class ThreadRenderer:
    def __init__(self, request, *, comments_url: str, may_reply: bool, plan_map_url: str = ""):
        self.comments_url = comments_url
        # Where a comment's plan feature is shown: the consultation page's list beside the map.
        self.plan_map_url = plan_map_url
        self.may_reply = may_reply
        self.viewer_id = request.user.pk
        # In the page's language ("30 November 2026, 15:05", "30. november 2026 15:05").
        self.when_format = get_format("DATETIME_FORMAT")
        # Reports are moderation's; the address is looked up once, not once per comment.
        self.report_prefix = reverse("moderation:report", kwargs={"kind": "comment", "pk": 0})[:-2]
        self.csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        # Translated once for the whole page.
        self.text = {
            "deleted_user": _("Deleted user"),
            "a_deleted_user": _("a deleted user"),
            "official": _("Official answer"),
            "edited": _("edited"),
            "moderator_edited": _("Edited by a moderator"),
            "comment_deleted": _("Comment deleted"),
            "hidden": _("Hidden by a moderator"),
            "reply": _("Reply"),
            "report": _("Report"),
            "report_what": _("this comment"),
            "edit": _("Edit"),
            "delete": _("Delete"),
            "your_comment": _("your comment"),
            "yours_here": _("Your comment"),
            "mark_official": _("Mark as official answer"),
            "unmark_official": _("Remove official mark"),
            "replies": _("Replies"),
            "agree": _("Agree"),
            "disagree": _("Disagree"),
            "for": _("For"),
            "against": _("Against"),
            "neutral": _("Neutral"),
            "pending_edit": _(
                "Your edit waits for a moderator. Until it is approved, everyone else sees "
                "the text above."
            ),
        }
        self.on_feature = _("On: %(layer)s — %(feature)s")
        self.in_reply_to = _("in reply to %(name)s")
        self.totals = _("%(up)s agree · %(down)s disagree")

    def thread(self, comment: Comment) -> SafeString:
        """A comment with all its displayed replies."""
        return mark_safe("".join(self._comment(comment)))  # noqa: S308 - built with format_html

    def votes(self, comment: Comment) -> SafeString:
        pk = comment.pk
        if not getattr(comment, "may_vote", False):
            totals = self.totals % {"up": comment.upvotes, "down": comment.downvotes}
            return format_html(
                '<div class="votes" id="votes-{}"><span class="meta vote-totals">{}</span></div>',
                pk,
                totals,
            )
        vote = getattr(comment, "viewer_vote", 0)
        url = f"{self.comments_url}{pk}/vote/"
        return format_html(
            '<div class="votes" id="votes-{pk}"><form method="post" action="{url}" '
            'class="inline-form vote-form" hx-post="{url}" hx-target="#votes-{pk}" '
            'hx-swap="outerHTML">{csrf}'
            '<button type="submit" name="value" value="{up_value}" class="vote vote-up" '
            'aria-pressed="{up_pressed}"><span aria-hidden="true">▲</span> {agree} '
            '<span class="vote-count">{up}</span></button> '
            '<button type="submit" name="value" value="{down_value}" class="vote vote-down" '
            'aria-pressed="{down_pressed}"><span aria-hidden="true">▼</span> {disagree} '
            '<span class="vote-count">{down}</span></button></form></div>',
            pk=pk,
            url=url,
            csrf=self.csrf,
            up_value=0 if vote == 1 else 1,
            up_pressed="true" if vote == 1 else "false",
            down_value=0 if vote == -1 else -1,
            down_pressed="true" if vote == -1 else "false",
            agree=self.text["agree"],
            disagree=self.text["disagree"],
            up=comment.upvotes,
            down=comment.downvotes,
        )

    def _comment(self, comment: Comment):
        t = self.text
        pk = comment.pk
        classes = "comment"
        if comment.is_official:
            classes += " comment-official"
        if comment.stance:
            classes += f" comment-{comment.stance}"
        # The comment its author has just posted (or a link names): shown first and marked.
        focused = getattr(comment, "is_focus", False)
        if focused:
            classes += " comment-focus"
        yield format_html(
            '<article class="{}" id="comment-{}" aria-labelledby="comment-{}-by">'
            '<header class="comment-header"><span class="comment-author" id="comment-{}-by">'
            "{}</span>",
            classes,
            pk,
            pk,
            pk,
            comment.author.public_name if comment.author else t["deleted_user"],
        )
        if focused and comment.author_id and comment.author_id == self.viewer_id:
            yield format_html(' <span class="badge badge-yours">{}</span>', t["yours_here"])
        if comment.is_official:
            yield format_html(' <span class="badge badge-official">{}</span>', t["official"])
        if comment.stance and not comment.is_deleted:
            yield format_html(
                ' <span class="badge badge-stance badge-{}">{}</span>',
                comment.stance,
                t.get(comment.stance, comment.stance),
            )
        created = timezone.localtime(comment.created_at)
        yield format_html(
            ' <a class="comment-time meta" href="#comment-{}"><time datetime="{}">{}</time></a>',
            pk,
            created.isoformat(),
            dateformat.format(created, self.when_format),
        )
        if comment.edited_at and not comment.is_deleted:
            yield format_html(
                ' <span class="meta comment-edited" title="{}">({})</span>',
                dateformat.format(timezone.localtime(comment.edited_at), self.when_format),
                t["edited"],
            )
        if comment.moderator_edited_at and not comment.is_deleted:
            # Shown to everyone, apart from the author's own "edited", so no reader takes the
            # moderator's words for the author's.
            moderated = timezone.localtime(comment.moderator_edited_at)
            yield format_html(
                ' <span class="meta comment-moderator-edited">({} <time datetime="{}">{}</time>)'
                "</span>",
                t["moderator_edited"],
                moderated.isoformat(),
                dateformat.format(moderated, self.when_format),
            )
        feature = comment.plan_feature if comment.plan_feature_id else None
        if feature is not None and not comment.is_deleted:
            yield format_html(
                ' <a class="badge badge-plan" href="{}#plan-feature-{}">{}</a>',
                self.plan_map_url,
                feature.pk,
                self.on_feature % {"layer": feature.layer.name, "feature": feature},
            )
        other = getattr(comment, "in_reply_to", None)
        if other is not None:
            name = other.author.public_name if other.author else t["a_deleted_user"]
            yield format_html(
                ' <span class="meta comment-in-reply-to">{}</span>',
                self.in_reply_to % {"name": name},
            )
        yield mark_safe('</header><div class="comment-body">')  # noqa: S308 - constant
        if comment.is_deleted:
            yield format_html('<p class="comment-gone">{}</p>', t["comment_deleted"])
        elif comment.is_hidden:
            reason = (
                f": {public_reason_label(comment.hidden_reason)}" if comment.hidden_reason else ""
            )
            yield format_html('<p class="comment-gone">{}{}</p>', t["hidden"], reason)
        else:
            yield comment.rendered_body
            if comment.has_pending_edit and getattr(comment, "may_edit", False):
                # Only the author may edit, so only the author reads their waiting edit.
                yield format_html(
                    '<div class="notice comment-pending-edit"><p class="meta">{}</p>{}</div>',
                    t["pending_edit"],
                    mark_safe(render_markdown(comment.pending_body)),  # noqa: S308 - nh3-cleaned
                )
        yield mark_safe("</div>")  # noqa: S308 - constant
        if comment.is_visible:
            yield from self._actions(comment)
        replies = getattr(comment, "display_replies", [])
        if replies:
            flat = " comment-replies-flat" if comment.depth >= DISPLAY_MAX_DEPTH else ""
            yield format_html('<ol class="comment-replies{}" aria-label="{}">', flat, t["replies"])
            for reply in replies:
                yield mark_safe("<li>")  # noqa: S308 - constant
                yield from self._comment(reply)
                yield mark_safe("</li>")  # noqa: S308 - constant
            yield mark_safe("</ol>")  # noqa: S308 - constant
        yield mark_safe("</article>")  # noqa: S308 - constant

    def _actions(self, comment: Comment):
        t = self.text
        pk = comment.pk
        base = f"{self.comments_url}{pk}/"
        yield mark_safe('<footer class="comment-actions">')  # noqa: S308 - constant
        yield self.votes(comment)
        if self.may_reply:
            yield format_html(
                ' <a class="button button-secondary button-small reply-link" href="{0}reply/" '
                'hx-get="{0}reply/" hx-target="#reply-slot-{1}" aria-controls="reply-slot-{1}">'
                "{2}</a>",
                base,
                pk,
                t["reply"],
            )
        if self.may_reply and comment.is_visible and not getattr(comment, "may_delete", False):
            yield format_html(
                ' <a class="button button-secondary button-small" href="{}{}/">{}'
                '<span class="visually-hidden"> {}</span></a>',
                self.report_prefix,
                pk,
                t["report"],
                t["report_what"],
            )
        for allowed, action, label in (
            (getattr(comment, "may_edit", False), "edit", t["edit"]),
            (getattr(comment, "may_delete", False), "delete", t["delete"]),
        ):
            if allowed:
                yield format_html(
                    ' <a class="button button-secondary button-small" href="{}{}/">{}'
                    '<span class="visually-hidden"> {}</span></a>',
                    base,
                    action,
                    label,
                    t["your_comment"],
                )
        if getattr(comment, "may_mark_official", False):
            yield format_html(
                ' <form method="post" action="{}official/" class="inline-form">{}'
                '<input type="hidden" name="official" value="{}">'
                '<button type="submit" class="button button-secondary button-small">{}</button>'
                "</form>",
                base,
                self.csrf,
                0 if comment.is_official else 1,
                t["unmark_official"] if comment.is_official else t["mark_official"],
            )
        yield format_html('</footer><div class="reply-slot" id="reply-slot-{}"></div>', pk)


def votes_html(request, comment: Comment, *, comments_url: str) -> SafeString:
    return ThreadRenderer(request, comments_url=comments_url, may_reply=False).votes(comment)
