"""Channels (the municipality's accounts), posts, the durable outbox, crisis stops and the
public comments read back from the platforms."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civic.external_urls import validate_external_url
from civic.tenancy import current_id as current_municipality_id
from civic.tenancy import scoped_manager
from social import crypto
from social.adapters import config

PLATFORM_CHOICES = [
    (config.FACEBOOK, "Facebook"),
    (config.INSTAGRAM, "Instagram"),
    (config.X, "X"),
    (config.MASTODON, "Mastodon"),
    (config.BLUESKY, "Bluesky"),
]
PLATFORM_NAMES = dict(PLATFORM_CHOICES)


class ChannelState(models.TextChoices):
    OK = "ok", _("Connected")
    NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")


class ChannelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=ChannelState.OK, is_removed=False)

    def listed(self):
        return self.filter(is_removed=False)


class Channel(models.Model):
    # The municipality whose page or account this is: its planners post to it, nobody else's.
    municipality = models.ForeignKey(
        "civic.Municipality",
        on_delete=models.PROTECT,
        related_name="channels",
        default=current_municipality_id,
    )
    platform = models.CharField(_("platform"), max_length=16, choices=PLATFORM_CHOICES)
    name = models.CharField(_("name"), max_length=120)
    base_url = models.URLField(_("base URL"), blank=True, validators=[validate_external_url])
    credentials_encrypted = models.TextField(editable=False, blank=True)
    # What renews the access token without a person (a refresh token), encrypted like the
    # credentials; empty for channels whose token does not expire or was pasted by hand.
    token_grant_encrypted = models.TextField(editable=False, blank=True)
    remote_id = models.CharField(max_length=200, blank=True)
    remote_url = models.URLField(max_length=500, blank=True, validators=[validate_external_url])
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ChannelState.choices, default=ChannelState.OK
    )
    state_reason = models.TextField(blank=True)
    # Facebook pages only: when Meta confirmed that it sends the page's new comments to our
    # webhook, or why it refused (the comments are then read on the regular schedule).
    webhooks_subscribed_at = models.DateTimeField(null=True, blank=True)
    webhooks_problem = models.TextField(blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="social_channels", blank=True
    )
    max_characters = models.PositiveIntegerField(null=True, blank=True)
    # Removed channels stay so that the archive still says where a post went.
    is_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager(ChannelQuerySet, "municipality")

    class Meta:
        ordering = ["platform", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return f"{self.platform_name}: {self.name}"

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES.get(self.platform, self.platform)

    @property
    def credentials(self) -> dict[str, Any]:
        return crypto.decrypt(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, values: dict[str, Any]) -> None:
        self.credentials_encrypted = crypto.encrypt(dict(values))

    @property
    def token_grant(self) -> dict[str, Any]:
        return crypto.decrypt(self.token_grant_encrypted)

    @token_grant.setter
    def token_grant(self, values: dict[str, Any]) -> None:
        self.token_grant_encrypted = crypto.encrypt(dict(values)) if values else ""

    @property
    def renews_token(self) -> bool:
        """Whether the platform login left a way to renew the token without a person."""
        return bool(self.token_grant_encrypted)


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    NEEDS_CONFIRMATION = "needs_confirmation", _("Needs confirmation")
    DELETED = "deleted", _("Deleted")


class PostProblem(models.TextChoices):
    """Why the platform did not take a post (yet), when the platform said so plainly."""

    RATE_LIMITED = "rate_limited", _("The platform asked us to wait; the post is sent again later.")
    DAILY_LIMIT = (
        "daily_limit",
        _("Instagram's limit of 50 posts in 24 hours is reached; the post waits for a free slot."),
    )
    PAGE_BLOCKED = (
        "page_blocked",
        _(
            "Facebook has temporarily blocked the page from posting; check the page's "
            "notifications before sending again."
        ),
    )
    NO_CREDITS = (
        "no_credits",
        _("The X developer account has no API credits left; top them up before sending again."),
    )
    DUPLICATE = "duplicate", _("The platform refused the post as a repeat of an earlier post.")


class Origin(models.TextChoices):
    MANUAL = "manual", _("Written by hand")
    OPENED = "opened", _("Consultation opened")
    PHASE = "phase", _("New phase")
    RESULTS = "results", _("Results published")
    WEEKLY = "weekly", _("Weekly top ideas")


EDITABLE_STATES = (PostState.DRAFT, PostState.AWAITING_APPROVAL)


class SocialPostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=PostState.PUBLISHED).exclude(remote_url="")


class SocialPost(models.Model):
    consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.CASCADE,
        related_name="social_posts",
        null=True,
        blank=True,
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="posts")
    text = models.TextField(_("text"))
    link = models.URLField(
        _("link"), max_length=600, blank=True, validators=[validate_external_url]
    )
    image = models.FileField(_("image"), upload_to="social/%Y/%m/", blank=True)
    alt_text = models.CharField(_("image description"), max_length=1000, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    # Which event made the draft (e.g. the phase id or the ISO week), so it is drafted once.
    origin_key = models.CharField(max_length=80, blank=True)
    state = models.CharField(
        _("state"), max_length=24, choices=PostState.choices, default=PostState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # A second planner may send a draft back to its author with a note instead of approving
    # it; the note stays until the author sends the post for approval again.
    sent_back_note = models.TextField(_("note to the author"), blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_back_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # When the outbox first sent the post: Bluesky's createdAt and record key, and the age of
    # an idempotency key, count from this moment, never from the draft's creation.
    first_sent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=600, blank=True, validators=[validate_external_url])
    remote_answer = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    metrics_fetched_at = models.DateTimeField(null=True, blank=True)
    comments_fetched_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The platform's reason as a code (rendered in the reader's language); the raw message
    # stays in `error`.
    problem = models.CharField(_("problem"), max_length=24, choices=PostProblem.choices, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager(SocialPostQuerySet, "channel__municipality")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="social_post_not_self_approved",
                condition=Q(approved_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(approved_by=models.F("created_by")),
            ),
            models.UniqueConstraint(
                fields=["consultation", "channel", "origin", "origin_key"],
                condition=~Q(origin="manual"),
                name="social_post_one_draft_per_event",
            ),
        ]
        indexes = [models.Index(fields=["state"])]
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")

    def __str__(self) -> str:
        return f"{self.channel.platform_name}: {self.text[:60]}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    IN_FLIGHT = "in_flight", _("Sending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    NEEDS_CONFIRMATION = "needs_confirmation", _("Needs confirmation")


class OutboxEntry(models.Model):
    post = models.OneToOneField(SocialPost, on_delete=models.CASCADE, related_name="outbox")
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(
        max_length=24, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    not_before = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    progress = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    # Set when a worker claims the entry: past it, the worker is presumed dead.
    stale_after = models.DateTimeField(null=True, blank=True)
    # A new token per claim: an outcome is recorded only by the claim that still holds the
    # entry, so a worker that outlived its lease cannot overwrite what a later claim found.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    # Whether an earlier attempt may have reached the platform (reconcile before sending).
    maybe_sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "not_before"])]
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")

    def __str__(self) -> str:
        return f"outbox {self.pk} ({self.state})"


class CrisisStopQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class CrisisStop(models.Model):
    # A crisis in Harstad stops Harstad's posts, not Copenhagen's.
    municipality = models.ForeignKey(
        "civic.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        default=current_municipality_id,
    )
    active = models.BooleanField(default=True)
    reason = models.TextField(_("reason"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager(CrisisStopQuerySet, "municipality")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "active"],
                condition=Q(active=True),
                name="social_one_active_crisis_stop_per_municipality",
            )
        ]

    def __str__(self) -> str:
        return self.reason[:80]


class ImportedComment(models.Model):
    post = models.ForeignKey(SocialPost, on_delete=models.CASCADE, related_name="imported_comments")
    platform = models.CharField(max_length=16, choices=PLATFORM_CHOICES)
    remote_id = models.CharField(max_length=300)
    author_name = models.CharField(max_length=200)
    text = models.TextField()
    url = models.URLField(max_length=600, blank=True, validators=[validate_external_url])
    created_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    # The inbox: who takes care of the comment, and the first answer (on the platform, or
    # marked answered by hand), which gives the response time.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answer_text = models.TextField(blank=True)
    # Our reply on the platform: read back with the other replies, it is recognised by this id.
    answer_remote_id = models.CharField(max_length=300, blank=True)
    # What the platform needs besides remote_id to answer (Bluesky: the comment's cid and its
    # thread root's uri and cid), stored when the comment is read.
    reply_ref = models.JSONField(default=dict, blank=True)
    # Hidden on the platform itself (Facebook, Instagram): only its author and the page still
    # see it there, and it is not shown beside the debate here either.
    hidden_on_platform_at = models.DateTimeField(null=True, blank=True)
    hidden_on_platform_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The answer published for everyone as an official answer in the consultation's debate.
    official_answer = models.ForeignKey(
        "debate.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "remote_id"], name="social_comment_once_per_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:60]}"

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES.get(self.platform, self.platform)

    @property
    def is_hidden_on_platform(self) -> bool:
        return self.hidden_on_platform_at is not None

    @property
    def is_publicly_shown(self) -> bool:
        return not self.is_hidden and self.hidden_on_platform_at is None


class SiteCommentFollowUp(models.Model):
    """What the comment inbox notes about a comment in the site's own debate: who takes care
    of it, when it was marked answered by hand, and the official answer published for it.

    A site comment also counts as answered when a staff member replied to it in the debate;
    that reply is read from the debate itself, never copied here.
    """

    comment = models.OneToOneField(
        "debate.Comment", on_delete=models.CASCADE, related_name="inbox_follow_up"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    official_answer = models.ForeignKey(
        "debate.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inbox note on a debate comment")
        verbose_name_plural = _("inbox notes on debate comments")

    def __str__(self) -> str:
        return f"inbox note on comment {self.comment_id}"
