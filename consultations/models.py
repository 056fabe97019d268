"""Consultations, their timeline of phases, categories and the planners' discussion topics."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.reasons import PublicReason
from civic.tenancy import current_id as current_municipality_id
from civic.tenancy import scoped_manager

from .validators import (
    validate_cover_image,
    validate_hashtag,
    validate_hex_colour,
    validate_reference_prefix,
)


class ConsultationQuerySet(models.QuerySet):
    def visible(self):
        """What the public may see: everything but drafts."""
        return self.exclude(status=Consultation.Status.DRAFT)

    def open_now(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=Consultation.Status.PUBLISHED,
            phases__starts_at__lte=now,
            phases__ends_at__gt=now,
        ).distinct()

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Consultation.Status.PUBLISHED).exclude(phases__starts_at__lte=now)

    def with_dates(self):
        """Annotate the first start and last end of the timeline (`opens_at`, `closes_at`)."""
        return self.annotate(opens_at=Min("phases__starts_at"), closes_at=Max("phases__ends_at"))

    def in_state(self, state: str, now=None):
        """Filter by what a visitor sees: "open", "upcoming" or "closed"; needs `with_dates()`.

        Open spans the whole timeline, gaps between phases included, so a consultation does
        not drop off the "open" list for the weekend between idea collection and support.
        """
        now = now or timezone.now()
        published = Q(status=Consultation.Status.PUBLISHED)
        if state == "open":
            return self.filter(published, opens_at__lte=now, closes_at__gt=now)
        if state == "upcoming":
            return self.filter(published & (Q(opens_at__gt=now) | Q(opens_at__isnull=True)))
        if state == "closed":
            return self.filter(
                Q(status=Consultation.Status.CLOSED) | (published & Q(closes_at__lte=now))
            )
        raise ValueError(f"unknown state {state!r}")

    def managed_by(self, user):
        """The consultations a planner runs; all of them for unrestricted planners and admins."""
        from civic.permissions import is_administrator, is_planner

        if is_administrator(user) or (is_planner(user) and not user.limited_to_assigned):
            return self.all()
        if is_planner(user):
            return self.filter(planners=user)
        return self.none()


class Consultation(models.Model):
    class Kind(models.TextChoices):
        IDEA_COMPETITION = "ideas", _("Idea competition")
        DEBATE = "debate", _("Debate")
        MAP_SURVEY = "map_survey", _("Map survey")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    municipality = models.ForeignKey(
        "civic.Municipality",
        on_delete=models.PROTECT,
        related_name="consultations",
        default=current_municipality_id,
        verbose_name=_("municipality"),
    )
    # Unique within its municipality (Meta): Harstad and Copenhagen may both run "budsjett".
    slug = models.SlugField(_("address name"), max_length=80)
    summary = models.CharField(_("summary"), max_length=400)
    body = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    cover_image = models.ImageField(
        _("cover image"),
        upload_to="consultations/",
        blank=True,
        validators=[validate_cover_image],
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    cover_alt = models.CharField(_("cover image description"), max_length=250, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.IDEA_COMPETITION
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    hashtag = models.CharField(
        _("hashtag"),
        max_length=60,
        blank=True,
        validators=[validate_hashtag],
        help_text=_("Used in social posts, e.g. #voreskbh."),
    )
    # The area residents may pin ideas in: a GeoJSON Polygon or MultiPolygon (WGS 84).
    area = models.JSONField(_("area"), null=True, blank=True)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        default="IDEA",
        validators=[validate_reference_prefix],
        help_text=_("2 to 8 capital letters. Ideas are numbered PREFIX-YEAR-00001."),
    )
    idea_counter = models.PositiveIntegerField(default=0, editable=False)
    support_limit = models.PositiveSmallIntegerField(
        _("supports per person"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    verified_only = models.BooleanField(
        _("only residents verified with the national eID may support and vote"),
        default=False,
        help_text=_(
            "Supports and poll answers then count only people who signed in with the eID; "
            "everyone may still read and comment."
        ),
    )
    pre_moderation = models.BooleanField(
        _("pre-moderation"),
        default=False,
        help_text=_("New ideas and comments wait for a planner's approval."),
    )
    results = models.TextField(_("results"), blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    planners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="planned_consultations",
        verbose_name=_("planners"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Scoped to the municipality being served (civic.tenancy); `everywhere` reads all of them
    # (the operator's pages, jobs that name consultations by id).
    objects = scoped_manager(ConsultationQuerySet, "municipality")
    everywhere = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="consultation_slug_once_per_municipality"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.cover_image and not self.cover_alt.strip():
            errors["cover_alt"] = _("Describe the cover image for people who cannot see it.")
        if self.area:
            from maps.geometry import validate_area

            try:
                self.area = validate_area(self.area)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None

    def state(self, now=None) -> str:
        """ "draft", "open", "upcoming" or "closed", from the prefetched phases."""
        if self.status == Consultation.Status.DRAFT:
            return "draft"
        if self.status == Consultation.Status.CLOSED:
            return "closed"
        now = now or timezone.now()
        phases = list(self.phases.all())
        if not phases or min(p.starts_at for p in phases) > now:
            return "upcoming"
        if max(p.ends_at for p in phases) <= now:
            return "closed"
        return "open"

    def next_phase(self, now=None):
        now = now or timezone.now()
        for phase in self.phases.all():
            if phase.starts_at > now:
                return phase
        return None

    def current_phase(self, now=None):
        """The phase running now, from prefetched phases when they are there."""
        now = now or timezone.now()
        for phase in self.phases.all():
            if phase.starts_at <= now < phase.ends_at:
                return phase
        return None


class Phase(models.Model):
    """A step of the timeline, and what residents may do while it runs."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        IDEAS = "ideas", _("Idea collection")
        SUPPORT = "support", _("Support")
        DEBATE = "debate", _("Debate")
        EVALUATION = "evaluation", _("Evaluation")
        RESULTS = "results", _("Results")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    allows_ideas = models.BooleanField(_("residents may submit ideas"), default=False)
    allows_support = models.BooleanField(_("residents may support ideas"), default=False)
    allows_comments = models.BooleanField(_("residents may comment"), default=False)
    allows_poll = models.BooleanField(_("residents may answer polls"), default=False)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="phase_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["consultation", "starts_at", "ends_at"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or str(self.get_kind_display())

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class Category(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=80)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f77b4",
        validators=[validate_hex_colour],
        help_text=_("A hex colour such as #1f77b4."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "name"], name="category_name_unique_per_consultation"
            ),
        ]

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A planner's discussion thread in a consultation, optionally with a poll."""

    class ResultsVisibility(models.TextChoices):
        AFTER_ANSWER = "after_answer", _("After answering")
        AFTER_PHASE = "after_phase", _("After the phase ends")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Markdown is allowed.")
    )
    poll_question = models.CharField(_("poll question"), max_length=250, blank=True)
    poll_multiple = models.BooleanField(_("several answers allowed"), default=False)
    poll_results_visibility = models.CharField(
        _("show poll results"),
        max_length=20,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_ANSWER,
    )
    position = models.PositiveSmallIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("debate topic")
        verbose_name_plural = _("debate topics")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("debate:topic", kwargs={"pk": self.pk})

    @property
    def has_poll(self) -> bool:
        return bool(self.poll_question)


class PollOption(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="poll_options")
    label = models.CharField(_("answer"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")

    def __str__(self):
        return self.label


MAP_BACKGROUND = "#f2efe9"  # the light land colour of the usual background maps


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        if len(colour) != 7 or not colour.startswith("#"):
            raise ValueError(colour)
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class PlanLayer(models.Model):
    """A layer of the plan on the consultation's map: a tunnel route, zoning areas, entrances.

    Read from a planner's GIS file (maps.gis) into PlanFeature rows in WGS 84. `version` moves
    on with every change of the layer, so the map feed's cached copies (keyed by it) are never
    stale and need no entry in civic.changes.
    """

    class Dash(models.TextChoices):
        SOLID = "solid", _("Solid")
        DASHED = "dashed", _("Dashed")
        DOTTED = "dotted", _("Dotted")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="plan_layers"
    )
    name = models.CharField(_("name"), max_length=120)
    legend = models.CharField(
        _("legend text"),
        max_length=250,
        blank=True,
        help_text=_("Shown beside the layer's colour in the map's legend."),
    )
    colour = models.CharField(
        _("line colour"), max_length=7, default="#b3261e", validators=[validate_hex_colour]
    )
    line_width = models.PositiveSmallIntegerField(
        _("line width (pixels)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    fill_colour = models.CharField(
        _("fill colour"), max_length=7, default="#b3261e", validators=[validate_hex_colour]
    )
    fill_opacity = models.PositiveSmallIntegerField(
        _("fill opacity (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("0 is no fill, 100 hides the map underneath."),
    )
    dash = models.CharField(_("line style"), max_length=10, choices=Dash, default=Dash.SOLID)
    position = models.PositiveSmallIntegerField(default=0)
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    source_crs = models.CharField(_("coordinate system of the file"), max_length=200, blank=True)
    feature_count = models.PositiveIntegerField(default=0, editable=False)
    vertex_count = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("plan layer")
        verbose_name_plural = _("plan layers")

    def __str__(self):
        return self.name

    def clean(self):
        # WCAG 1.4.11: a line must stand out against a light background map by 3:1.
        try:
            ratio = contrast_ratio(self.colour, MAP_BACKGROUND)
        except ValueError:
            return  # the field's own validator names the format
        if ratio < 3:
            raise ValidationError(
                {
                    "colour": _(
                        "The line colour is too light to be seen on the map (contrast "
                        "%(ratio)s:1 against the map; at least 3:1 is needed). Choose a "
                        "darker colour."
                    )
                    % {"ratio": f"{ratio:.1f}"}
                }
            )

    @property
    def dash_array(self) -> str:
        width = self.line_width
        return {"dashed": f"{width * 3} {width * 2}", "dotted": f"1 {width * 2}"}.get(self.dash, "")


class PlanFeature(models.Model):
    """One feature of a plan layer, with a stable id residents' comments can point at."""

    class Kind(models.TextChoices):
        POINT = "point", _("Point")
        LINE = "line", _("Line")
        AREA = "area", _("Area")

    layer = models.ForeignKey(PlanLayer, on_delete=models.CASCADE, related_name="features")
    number = models.PositiveIntegerField()  # its place in the planner's file, from 1
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    properties = models.JSONField(default=dict, blank=True)
    # GeoJSON geometry text in WGS 84 (RFC 7946, longitude first), checked valid on upload.
    geometry = models.TextField()

    class Meta:
        ordering = ["layer", "number"]
        verbose_name = _("plan feature")
        verbose_name_plural = _("plan features")
        constraints = [
            models.UniqueConstraint(fields=["layer", "number"], name="plan_feature_number_unique"),
        ]

    def __str__(self):
        return self.name or f"#{self.number}"


class PlanFeatureShape(models.Model):
    """A plan feature simplified for one zoom of the map, computed when the layer is uploaded
    (maps.gis.simplified_levels), so the map feed never simplifies while someone waits."""

    feature = models.ForeignKey(PlanFeature, on_delete=models.CASCADE, related_name="shapes")
    zoom = models.PositiveSmallIntegerField()
    geometry = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feature", "zoom"], name="plan_shape_zoom_unique"),
        ]

    def __str__(self):
        return f"{self.feature} @ {self.zoom}"


class MapService(models.Model):
    """An official map service shown on the consultation's map: an overlay or another base map.

    Configuration, not code: a WMS base URL with its layer names, a tile address with {z}, {x}
    and {y}, or a WMTS layer read from the service's capabilities (maps.wmts): its tile template
    with {TileMatrix}, {TileRow} and {TileCol}, and the matrix identifier of each zoom.
    """

    class Protocol(models.TextChoices):
        WMS = "wms", _("WMS")
        WMTS = "wmts", _("WMTS (from its capabilities)")
        XYZ = "xyz", _("Tile address ({z}/{x}/{y})")

    class Role(models.TextChoices):
        OVERLAY = "overlay", _("Overlay on the map")
        BASE = "base", _("Alternative base map")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="map_services"
    )
    name = models.CharField(_("name"), max_length=120)
    protocol = models.CharField(
        _("kind of service"), max_length=10, choices=Protocol, default=Protocol.WMS
    )
    role = models.CharField(_("shown as"), max_length=10, choices=Role, default=Role.OVERLAY)
    url = models.URLField(
        _("service address"),
        max_length=2000,
        help_text=_(
            "For WMS the service's base address; for a tile service a tile address with {z}, "
            "{x} and {y}."
        ),
    )
    layers = models.CharField(
        _("WMS layers"), max_length=250, blank=True, help_text=_("Comma-separated layer names.")
    )
    image_format = models.CharField(
        _("image format"),
        max_length=20,
        choices=[
            ("image/png", "PNG"),
            ("image/jpeg", "JPEG"),
            ("image/png8", "PNG (8 bit)"),
            ("image/webp", "WebP"),
            ("image/gif", "GIF"),
        ],
        default="image/png",
    )
    # WMTS only, filled from the capabilities when the service is added (maps.wmts.tile_source).
    capabilities_url = models.URLField(_("capabilities address"), max_length=1000, blank=True)
    style = models.CharField(_("style"), max_length=200, blank=True)
    tile_matrix_set = models.CharField(_("tile matrix set"), max_length=200, blank=True)
    tile_matrices = models.JSONField(default=dict, blank=True)  # {"zoom": "matrix identifier"}
    bounds = models.JSONField(null=True, blank=True)  # WGS 84 [west, south, east, north]
    attribution = models.CharField(
        _("attribution"),
        max_length=250,
        help_text=_("Who made the map, as its licence asks, e.g. © Kartverket."),
    )
    opacity = models.PositiveSmallIntegerField(
        _("opacity (%)"), default=70, validators=[MinValueValidator(10), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("map service")
        verbose_name_plural = _("map services")

    def __str__(self):
        return self.name

    def clean(self):
        from maps.services_config import validate_service_url

        errors = {}
        try:
            validate_service_url(self.url, self.protocol)
        except ValidationError as error:
            errors["url"] = error.messages
        if self.protocol == self.Protocol.WMS and not self.layers.strip():
            errors["layers"] = [_("Name at least one layer of the WMS service.")]
        if self.protocol == self.Protocol.WMTS and not (self.layers and self.tile_matrices):
            errors["capabilities_url"] = [
                _("A WMTS service is added from its capabilities, with a layer and a matrix set.")
            ]
        if errors:
            raise ValidationError(errors)


class MapQuestion(models.Model):
    """A question of a map survey that residents answer by drawing: a point, a line or an area."""

    class Kind(models.TextChoices):
        POINT = "point", _("Point")
        LINE = "line", _("Line")
        AREA = "area", _("Area")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="map_questions"
    )
    prompt = models.CharField(_("question"), max_length=250)
    help_text = models.TextField(
        _("help text"), blank=True, help_text=_("What to draw and how, in a sentence or two.")
    )
    kind = models.CharField(_("what residents draw"), max_length=10, choices=Kind)
    required = models.BooleanField(_("an answer is expected"), default=False)
    max_answers = models.PositiveSmallIntegerField(
        _("answers per person"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("map question")
        verbose_name_plural = _("map questions")

    def __str__(self):
        return self.prompt


class DrawnAnswerQuerySet(models.QuerySet):
    def public(self):
        """What may appear in public outputs: not hidden by a planner or moderator."""
        return self.filter(is_hidden=False)


class DrawnAnswer(models.Model):
    """A resident's drawing in answer to a map question, checked on the server (survey.py)."""

    question = models.ForeignKey(MapQuestion, on_delete=models.CASCADE, related_name="answers")
    # Kept beside the question so that a consultation's answers are one indexed filter away.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="drawn_answers"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drawn_answers"
    )
    # GeoJSON geometry text in WGS 84 (RFC 7946, longitude first).
    geometry = models.TextField()
    # A point inside the drawing, so points cluster like pins and lists can be sorted by place.
    longitude = models.FloatField()
    latitude = models.FloatField()
    vertex_count = models.PositiveIntegerField(default=1)
    comment = models.CharField(_("resident's comment"), max_length=280, blank=True)
    is_hidden = models.BooleanField(default=False, db_index=True)
    # A code of civic.reasons.PublicReason, as on ideas and comments.
    hidden_reason = models.CharField(max_length=200, blank=True, choices=PublicReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager(DrawnAnswerQuerySet, "consultation__municipality")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("drawn answer")
        verbose_name_plural = _("drawn answers")
        indexes = [
            models.Index(fields=["question", "author"]),
            models.Index(fields=["consultation", "is_hidden"]),
        ]

    def __str__(self):
        return f"{self.question} #{self.pk}"
