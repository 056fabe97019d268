"""Reports (flags) on contributions, blocks of authors, and appeals against moderation decisions.

A report, an appeal and a moderator's edit each point at exactly one contribution: an idea, one of
an idea's photos, or a comment. Three nullable foreign keys with a check constraint keep the
database honest (a generic relation could not cascade or be constrained per person and item).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.reasons import PublicReason  # noqa: F401 - the moderators' choices
from civic.tenancy import current_id as current_municipality_id
from civic.tenancy import scoped_manager
from consultations.models import Consultation
from debate.models import Comment
from ideas.models import Idea, IdeaImage

_ONE_TARGET = (
    Q(idea__isnull=False, image__isnull=True, comment__isnull=True)
    | Q(idea__isnull=True, image__isnull=False, comment__isnull=True)
    | Q(idea__isnull=True, image__isnull=True, comment__isnull=False)
)


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive or hateful")
    PERSONAL_DATA = "personal_data", _("Personal data")
    OFF_TOPIC = "off_topic", _("Off-topic")
    OTHER = "other", _("Other")


class TargetFields(models.Model):
    """The contribution a row is about: exactly one of idea, photo or comment."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    image = models.ForeignKey(
        IdeaImage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        abstract = True

    @property
    def target(self):
        return self.idea or self.image or self.comment

    @property
    def target_kind(self) -> str:
        if self.idea_id:
            return "idea"
        return "photo" if self.image_id else "comment"

    @property
    def target_key(self) -> str:
        return f"{self.target_kind}:{self.idea_id or self.image_id or self.comment_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed: content kept")
    UPHELD = "upheld", _("Upheld: content hidden or edited")


class Report(TargetFields):
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    text = models.TextField(_("details"), max_length=1000, blank=True)
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="report_exactly_one_target"),
            models.UniqueConstraint(
                fields=["reporter", "idea"],
                condition=Q(idea__isnull=False),
                name="one_report_per_person_idea",
            ),
            models.UniqueConstraint(
                fields=["reporter", "image"],
                condition=Q(image__isnull=False),
                name="one_report_per_person_photo",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="one_report_per_person_comment",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "status"], name="report_queue")]

    def __str__(self):
        return f"{self.target_key} {self.reason}"


class BlockQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=now))

    def applying_to(self, consultation_id: int | None, municipality_id: int | None):
        """Blocks from this consultation and the municipality's blocks for all of its own."""
        scope = Q(consultation__isnull=True, municipality_id=municipality_id)
        if consultation_id is not None:
            scope |= Q(consultation_id=consultation_id)
        return self.filter(scope)


class Block(models.Model):
    """A person may not submit, comment, support or report, in one consultation or anywhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_blocks"
    )
    # Whose moderators blocked the person: a block in Harstad keeps nobody out of Copenhagen.
    municipality = models.ForeignKey(
        "civic.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        default=current_municipality_id,
    )
    # Empty: every consultation of the municipality.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    until = models.DateTimeField(_("blocked until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager(BlockQuerySet, "municipality")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        indexes = [models.Index(fields=["user", "lifted_at"], name="block_user_active")]

    def __str__(self):
        return f"{self.user_id} blocked ({self.consultation_id or 'municipality'})"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted: decision reversed")
    REJECTED = "rejected", _("Rejected: decision stands")


class Appeal(TargetFields):
    """The author asks the moderators to look again at a decision about their contribution."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_appeals"
    )
    text = models.TextField(_("why the decision should change"), max_length=1000)
    status = models.CharField(
        max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="appeal_exactly_one_target"),
            # One open appeal per item: a second one would only repeat the first.
            models.UniqueConstraint(
                fields=["idea"],
                condition=Q(status="open", idea__isnull=False),
                name="one_open_appeal_per_idea",
            ),
            models.UniqueConstraint(
                fields=["image"],
                condition=Q(status="open", image__isnull=False),
                name="one_open_appeal_per_image",
            ),
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status="open", comment__isnull=False),
                name="one_open_appeal_per_comment",
            ),
        ]

    def __str__(self):
        return f"appeal {self.target_key}"
