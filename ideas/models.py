"""Map-pinned ideas, their photos, supports and the history of official answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from civic.reasons import PublicReason
from civic.tenancy import scoped_manager
from consultations.models import Category, Consultation


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")
    DUPLICATE = "duplicate", _("Merged as a duplicate")


class Publication(models.TextChoices):
    """Where an idea is in its life before and after it is public."""

    PENDING_CONFIRMATION = "pending_confirmation", _("Waiting for e-mail confirmation")
    PENDING_MODERATION = "pending_moderation", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class IdeaQuerySet(models.QuerySet):
    def published(self):
        """What the public sees: published and not hidden by a moderator."""
        return self.filter(publication=Publication.PUBLISHED, is_hidden=False)

    def in_bbox(self, west: float, south: float, east: float, north: float):
        return self.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )


class Idea(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="ideas")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), help_text=_("Markdown is allowed."))
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("category"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("author"),
    )
    # A planner entering a paper or phone submission on a resident's behalf.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.CharField(_("submitted on behalf of"), max_length=120, blank=True)
    # WGS 84; validated against the consultation's area by maps.geometry on the server.
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    address_label = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IdeaStatus.choices,
        default=IdeaStatus.SUBMITTED,
        db_index=True,
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    answer = models.TextField(_("official answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    publication = models.CharField(
        max_length=24, choices=Publication.choices, default=Publication.PUBLISHED, db_index=True
    )
    # Anonymous submissions: kept unpublished until the address is confirmed.
    pending_email = models.EmailField(blank=True)
    confirmation_expires_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, db_index=True)
    # A code of civic.reasons.PublicReason; its label is shown in the reader's language.
    hidden_reason = models.CharField(max_length=200, blank=True, choices=PublicReason.choices)
    # Set when a moderator edits the text, so the public pages can say who changed it.
    moderator_edited_at = models.DateTimeField(null=True, blank=True)
    # The author's edit of an approved idea that waits for a planner (pre-moderation or the word
    # list): the public keeps reading title and description, the approved text, until then.
    pending_title = models.CharField(max_length=140, blank=True)
    pending_description = models.TextField(blank=True)
    pending_edit_at = models.DateTimeField(null=True, blank=True)
    # Kept in the same transaction as the Support / Comment rows they count.
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Whether a comment was ever published here. Deleted and hidden comments keep their place
    # in the thread while comment_count leaves them out, so the idea page reads threads only
    # when this is set; set in the statement that counts the comment (debate.services).
    has_threads = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager(IdeaQuerySet, "consultation__municipality")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="idea_number_unique_per_consultation"
            ),
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="idea_coordinates_in_range",
            ),
        ]
        indexes = [
            # Map feeds read only public ideas, by bounding box.
            models.Index(
                fields=["consultation", "longitude", "latitude"],
                condition=Q(publication="published", is_hidden=False),
                name="idea_public_lonlat",
            ),
            # The daily shuffle's ids and the key figures' count and sum of supports, read
            # from the index alone (PostgreSQL: about half the time of a table scan).
            models.Index(
                fields=["consultation", "id"],
                include=["support_count"],
                condition=Q(publication="published", is_hidden=False),
                name="idea_public_ids",
            ),
            models.Index(
                fields=["consultation", "publication", "-support_count"],
                name="idea_consultation_supports",
            ),
            models.Index(
                fields=["consultation", "publication", "-created_at"],
                name="idea_consultation_newest",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("ideas:detail", kwargs={"reference": self.reference})

    @property
    def is_public(self) -> bool:
        return self.publication == Publication.PUBLISHED and not self.is_hidden

    @property
    def has_pending_edit(self) -> bool:
        return self.pending_edit_at is not None

    @cached_property
    def edited_by_author(self) -> bool:
        """Changed by its author (or on their behalf) since submitting, not only by a moderator."""
        if self.moderator_edited_at is None:
            # Without a moderator edit every revision is the author's.
            return self.revisions.exists()
        return self.revisions.filter(edited_by_moderator=False).exists()


def idea_image_path(instance, filename):
    return f"ideas/{instance.idea.consultation_id}/{instance.idea_id}/{filename}"


class IdeaImage(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("photo"), upload_to=idea_image_path)
    alt_text = models.CharField(_("photo description"), max_length=250)
    position = models.PositiveSmallIntegerField(default=0)
    is_redacted = models.BooleanField(default=False)
    # Added to an approved idea by an edit that waits for a planner (Idea.pending_edit_at):
    # shown to the author and planners only, public once the edit is approved.
    is_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.alt_text


class IdeaRevision(models.Model):
    """The idea as it was before an edit."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=140)
    description = models.TextField()
    category_name = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_by_moderator = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.idea_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def of(cls, idea: Idea, *, edited_by, by_moderator: bool = False) -> "IdeaRevision":
        """The idea as it is now (unsaved), kept before an edit replaces it."""
        return cls(
            idea=idea,
            title=idea.title,
            description=idea.description,
            category_name=idea.category.name if idea.category_id else "",
            latitude=idea.latitude,
            longitude=idea.longitude,
            edited_by=edited_by,
            edited_by_moderator=by_moderator,
        )


class Support(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    # Denormalised so that a per-consultation limit is one indexed count.
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_support_per_person"),
        ]
        indexes = [models.Index(fields=["consultation", "user"])]

    def __str__(self):
        return f"{self.user_id} -> {self.idea_id}"


class StatusChange(models.Model):
    """Every official status change and answer, newest first on the idea page."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=20, choices=IdeaStatus.choices)
    new_status = models.CharField(max_length=20, choices=IdeaStatus.choices)
    answer = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.idea_id}: {self.old_status} -> {self.new_status}"


class AnswerTemplate(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="answer_templates"
    )
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=20, choices=IdeaStatus.choices, blank=True)
    body = models.TextField(_("answer"))

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        ordering = ["title"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self):
        return self.title


class Follow(models.Model):
    """A person following a consultation or an idea, to be told of answers and phase changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(consultation__isnull=False, idea__isnull=True)
                    | Q(consultation__isnull=True, idea__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "consultation"],
                condition=Q(consultation__isnull=False),
                name="follow_consultation_once",
            ),
            models.UniqueConstraint(
                fields=["user", "idea"], condition=Q(idea__isnull=False), name="follow_idea_once"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.consultation_id or self.idea_id}"


class PhaseAnnouncement(models.Model):
    """A phase whose start has been announced to the consultation's followers, so it is
    announced once however often `notify_phase_changes` runs."""

    phase = models.OneToOneField(
        "consultations.Phase", on_delete=models.CASCADE, related_name="announcement"
    )
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"phase {self.phase_id} announced"
