"""Threaded comments on debate topics and ideas, their votes and edit history, and poll answers."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from civic.markdown import render_markdown
from civic.reasons import PublicReason
from civic.tenancy import scoped_manager
from consultations.models import Consultation, PlanFeature, PollOption, Topic
from ideas.models import Idea

COMMENT_MAX_LENGTH = 5000
# Threads are displayed this deep; deeper replies are shown flat under their depth-3 ancestor.
DISPLAY_MAX_DEPTH = 3


class Stance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neutral")


class CommentPublication(models.TextChoices):
    PENDING_MODERATION = "pending_moderation", _("Waiting for approval")
    PUBLISHED = "published", _("Published")


class CommentQuerySet(models.QuerySet):
    def published(self):
        """Published comments, hidden and deleted ones included: they keep the thread's shape."""
        return self.filter(publication=CommentPublication.PUBLISHED)

    def for_target(self, target):
        if isinstance(target, Topic):
            return self.filter(topic=target)
        return self.filter(idea=target)

    def countable(self):
        """What counts towards a topic's or idea's comment count."""
        return self.filter(publication=CommentPublication.PUBLISHED, is_deleted=False)


class Comment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The top-level comment of the thread (None for a top-level comment itself): one indexed
    # query loads every descendant of a page of threads.
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="descendants"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    body = models.TextField(
        _("comment"),
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)],
        help_text=_("Markdown is allowed."),
    )
    # The body as sanitised HTML, rendered by civic.markdown when the comment is written, so a
    # page of hundreds of comments does not run Markdown hundreds of times per view.
    body_html = models.TextField(blank=True, editable=False)
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices, blank=True)
    is_official = models.BooleanField(_("official answer"), default=False)
    official_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    official_marked_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set when a moderator edits the text, so the page can say so; edited_at stays the author's.
    moderator_edited_at = models.DateTimeField(null=True, blank=True)
    # The author's edit of an approved comment that waits for a planner (pre-moderation or the
    # word list): everyone else keeps reading `body`, the approved text, until then.
    pending_body = models.TextField(blank=True, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)])
    pending_edit_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    # A code of civic.reasons.PublicReason; its label is shown in the reader's language.
    hidden_reason = models.CharField(max_length=200, blank=True, choices=PublicReason.choices)
    publication = models.CharField(
        max_length=24,
        choices=CommentPublication.choices,
        default=CommentPublication.PUBLISHED,
    )
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    # Wilson lower bound of the up/down votes, stored in the vote's transaction so that
    # "best" is an indexed sort.
    score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    # A top-level comment may be about one feature of the consultation's plan (a tunnel route, a
    # zoning area), optionally at a point along it: the point as placed on the feature by
    # debate.services (snapped onto a line), and for a line its fraction along it, 0..1. When
    # a planner removes the layer the comment stays, with its point, about no feature.
    plan_feature = models.ForeignKey(
        PlanFeature,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("plan feature"),
    )
    anchor_longitude = models.FloatField(null=True, blank=True)
    anchor_latitude = models.FloatField(null=True, blank=True)
    anchor_fraction = models.FloatField(null=True, blank=True)

    objects = scoped_manager(CommentQuerySet, "consultation__municipality")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(topic__isnull=False, idea__isnull=True)
                    | Q(topic__isnull=True, idea__isnull=False)
                ),
                name="comment_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(stance="") | Q(topic__isnull=False, parent__isnull=True),
                name="comment_stance_only_on_topic_roots",
            ),
            models.CheckConstraint(
                condition=(
                    Q(parent__isnull=True, root__isnull=True, depth=0)
                    | Q(parent__isnull=False, root__isnull=False, depth__gt=0)
                ),
                name="comment_tree_shape",
            ),
            # Replies answer an argument; the argument says which part of the plan it is about.
            models.CheckConstraint(
                condition=Q(plan_feature__isnull=True) | Q(parent__isnull=True),
                name="comment_anchor_only_on_roots",
            ),
        ]
        indexes = [
            # A page of threads starts from the top-level comments in the page's order; these
            # let PostgreSQL read the first twenty from an index instead of sorting them all.
            models.Index(
                "topic",
                F("is_official").desc(),
                F("score").desc(),
                F("upvotes").desc(),
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(parent__isnull=True),
                name="comment_topic_roots_best",
            ),
            models.Index(
                "topic",
                F("is_official").desc(),
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(parent__isnull=True),
                name="comment_topic_roots_time",
            ),
            # The best argument on each side, for the balance of arguments.
            models.Index(
                "topic",
                "stance",
                F("score").desc(),
                F("upvotes").desc(),
                condition=Q(parent__isnull=True),
                name="comment_topic_roots_side",
            ),
            models.Index(
                fields=["idea", "created_at"],
                condition=Q(parent__isnull=True),
                name="comment_idea_roots_time",
            ),
            models.Index(fields=["consultation", "author"], name="comment_consultation_author"),
            # The newest official answers on the consultation page (social.selectors
            # .official_answers_from_inbox): a few rows, instead of a pass over every comment.
            models.Index(
                "consultation",
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(is_official=True),
                name="comment_official_newest",
            ),
            # A comment's replies in the API's order, a page at a time by cursor, and their
            # count per comment (debate.selectors.reply_page, bounded_comment_page).
            models.Index(
                "parent",
                F("is_official").desc(),
                "created_at",
                "id",
                condition=Q(parent__isnull=False, publication="published"),
                name="comment_replies_order",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} ({self.body[:40]})"

    def get_absolute_url(self):
        target = self.topic if self.topic_id else self.idea
        return f"{target.get_absolute_url()}#comment-{self.pk}"

    @property
    def target(self):
        return self.topic if self.topic_id else self.idea

    @property
    def rendered_body(self) -> str:
        """The body as HTML that is safe to show: civic.markdown's nh3-cleaned output."""
        if not self.body:
            return ""
        html = self.body_html or render_markdown(self.body)
        return mark_safe(html)  # noqa: S308 - sanitised by civic.markdown.render_markdown

    @property
    def has_pending_edit(self) -> bool:
        return self.pending_edit_at is not None

    @property
    def is_visible(self) -> bool:
        """Whether the text is shown; a deleted or hidden comment keeps its place in the thread."""
        return not (self.is_deleted or self.is_hidden)


class CommentRevision(models.Model):
    """The text of a comment as it was before an edit."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.comment_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class CommentVote(models.Model):
    class Value(models.IntegerChoices):
        UP = 1, _("Up")
        DOWN = -1, _("Down")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_votes"
    )
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_comment_vote_per_person"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="comment_vote_up_or_down"),
        ]
        indexes = [models.Index(fields=["user", "comment"], name="comment_vote_user")]

    def __str__(self):
        return f"{self.user_id} {self.value:+d} -> {self.comment_id}"


class PollAnswer(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="poll_answers")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_answers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "user"], name="one_answer_per_option"),
        ]
        indexes = [models.Index(fields=["topic", "user"], name="poll_answer_topic_user")]

    def __str__(self):
        return f"{self.user_id} -> {self.option_id}"


class ConsultationFigures(models.Model):
    """A consultation's key figures as last counted (debate.figures).

    Counting participants means a distinct union over ideas, supports, comments and poll answers
    (tens of milliseconds in a big consultation), so the hub reads this row instead and a worker
    counts again after a change; see debate.figures for how fresh the row is kept.
    """

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ideas = models.PositiveIntegerField()
    supports = models.PositiveIntegerField()
    comments = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()
    counted_at = models.DateTimeField()

    def __str__(self):
        return f"figures of consultation {self.consultation_id}"
