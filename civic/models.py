"""Accounts, roles and the audit log, which every other app builds on."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import current_id as tenancy_current_id
from .tenancy import scoped_manager

# Letters and digits that cannot be mistaken for each other when read aloud or written down.
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_pseudonym_code() -> str:
    return "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(6))


def new_pseudonym_key() -> str:
    """A municipality's secret for the pseudonyms it shows (civic.pseudonyms)."""
    return secrets.token_urlsafe(24)


def new_username() -> str:
    """An internal handle that nobody sees or types: people log in with their e-mail."""
    return f"u-{secrets.token_hex(10)}"


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    PLANNER = "planner", _("Planner")
    COUNCILLOR = "councillor", _("Councillor")
    ADMINISTRATOR = "administrator", _("Administrator")


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Once a day (digest)")


class CivicUserManager(UserManager):
    """Accounts are identified by e-mail; the username is an internal handle.

    While a municipality is active (civic.tenancy), each person read carries their role there
    (`here_role`, `here_limited`), so that a request's role checks cost no query of their own.
    """

    def get_queryset(self):
        from . import tenancy

        queryset = super().get_queryset()
        municipality_id = tenancy.active_id()
        if municipality_id is None:
            return queryset
        return queryset.annotate(**role_here_annotations("pk", municipality_id))

    def _create_user_object(self, username, email, password, **extra_fields):
        username = username or (email or "").lower() or new_pseudonym_code()
        return super()._create_user_object(username, email, password, **extra_fields)

    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)

    def holding(self, *roles: str, municipality_id: int | None = None, limited=None):
        """The people with one of `roles` in the municipality (the current one by default)."""
        from . import tenancy

        municipality_id = municipality_id or tenancy.current_id()
        held = Membership.objects.filter(municipality_id=municipality_id, role__in=roles)
        if limited is not None:
            held = held.filter(limited_to_assigned=limited)
        return self.filter(pk__in=held.values("user_id"))


def role_here_annotations(user_ref: str, municipality_id: int, prefix: str = "") -> dict:
    """Annotations that carry a person's role in a municipality with the row that reads the
    person (`user_ref` leads to the user's id), so that asking the role costs no query."""
    held = Membership.objects.filter(
        user_id=models.OuterRef(user_ref), municipality_id=municipality_id
    )
    return {
        f"{prefix}here_municipality": models.Value(
            municipality_id, output_field=models.BigIntegerField()
        ),
        f"{prefix}here_role": models.Subquery(held.values("role")[:1]),
        f"{prefix}here_limited": models.Subquery(held.values("limited_to_assigned")[:1]),
        f"{prefix}here_consented": models.Exists(
            Consent.objects.filter(
                user_id=models.OuterRef(user_ref), municipality_id=municipality_id
            )
        ),
    }


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    show_name_publicly = models.BooleanField(
        _("show my name publicly"),
        default=False,
        help_text=_(
            "When off, you appear under a neutral pseudonym. "
            "Your e-mail and phone number are never shown."
        ),
    )
    pseudonym_code = models.CharField(
        max_length=6, unique=True, default=new_pseudonym_code, editable=False
    )
    phone = models.CharField(_("phone (optional)"), max_length=30, blank=True)
    is_operator = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_(
            "Creates municipalities and their first administrator. Sees no resident's data "
            "unless also given a role in that municipality."
        ),
    )
    is_deleted = models.BooleanField(default=False, editable=False)
    notification_frequency = models.CharField(
        _("e-mail notifications"),
        max_length=12,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
        help_text=_("Send each notice at once, or gather them in one e-mail a day."),
    )
    # A code from LANGUAGES; "" until the person signs up or picks one. E-mails and notices are
    # written in it (civic.notifications.recipient_language).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the e-mails and notices we send you."),
    )

    # The versions of the terms of use and the privacy notice the person accepted at sign-up,
    # and when (civic.legal).
    terms_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    privacy_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    consented_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CivicUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                name="civic_user_email_ci_unique",
                condition=~models.Q(email=""),
            ),
        ]

    def __str__(self):
        return self.public_name

    def save(self, *args, **kwargs):
        # allauth looks addresses up in lower case only; an address stored in other letters
        # (admin, commands) would escape its "already in use" check and then hit the unique index.
        self.email = (self.email or "").strip().lower()
        # allauth (e-mail and eID sign-up alike) saves the user without a username, since log-in
        # is by e-mail; the unique column still needs a distinct value for every account.
        if not self.username:
            self.username = new_username()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "username"}
        if self.is_deleted and (self.is_staff or self.is_superuser):
            # A deleted account keeps no powers, whatever roles it held.
            self.is_staff = self.is_superuser = False
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "is_staff", "is_superuser"}
        super().save(*args, **kwargs)
        pending = self.__dict__.pop("_pending_role", None)
        if pending is not None:
            from .memberships import membership_set

            membership_set(self, role=pending[0], limited_to_assigned=pending[1])

    # The role in the municipality being served (civic.tenancy); Membership holds it. Setting
    # it (User(role=...), user.role = ...) gives that role there when the person is saved.
    def _held_here(self) -> tuple[str, bool]:
        pending = self.__dict__.get("_pending_role")
        if pending is not None:
            return pending
        from . import tenancy

        municipality_id = tenancy.current_id()
        if municipality_id is None or self.pk is None:
            return (Role.RESIDENT, False)
        held = self.__dict__.setdefault("_held", {})
        if municipality_id not in held:
            if self.__dict__.get("here_municipality") == municipality_id:
                row = (self.here_role, self.here_limited) if self.here_role else None
            else:
                row = (
                    Membership.objects.filter(user_id=self.pk, municipality_id=municipality_id)
                    .values_list("role", "limited_to_assigned")
                    .first()
                )
            held[municipality_id] = (row[0], bool(row[1])) if row else (Role.RESIDENT, False)
        return held[municipality_id]

    def note_held(self, municipality_id: int, role: str | None, limited) -> None:
        """Remember the role read with another row (see role_here_annotations)."""
        self.__dict__.setdefault("_held", {})[municipality_id] = (
            (role, bool(limited)) if role else (Role.RESIDENT, False)
        )

    def consented_in(self, municipality_id: int) -> bool:
        """Whether the person accepted that municipality's terms (civic.consent); read with the
        person where the manager annotated it, else asked once."""
        memo = self.__dict__.setdefault("_consented", {})
        if municipality_id not in memo:
            if self.__dict__.get("here_municipality") == municipality_id:
                memo[municipality_id] = bool(self.here_consented)
            else:
                memo[municipality_id] = Consent.objects.filter(
                    user_id=self.pk, municipality_id=municipality_id
                ).exists()
        return memo[municipality_id]

    def note_consent(self, municipality_id: int, given: bool = True) -> None:
        self.__dict__.setdefault("_consented", {})[municipality_id] = bool(given)

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.forget_held()

    def forget_held(self) -> None:
        self.__dict__.pop("_held", None)
        self.__dict__.pop("here_municipality", None)

    @property
    def role(self) -> str:
        return self._held_here()[0]

    @role.setter
    def role(self, value: str) -> None:
        self.__dict__["_pending_role"] = (value, self._held_here()[1] and value == Role.PLANNER)

    @property
    def limited_to_assigned(self) -> bool:
        return self._held_here()[1]

    @limited_to_assigned.setter
    def limited_to_assigned(self, value: bool) -> None:
        self.__dict__["_pending_role"] = (self._held_here()[0], bool(value))

    def get_role_display(self) -> str:
        return str(Role(self.role).label)

    @property
    def pseudonym(self) -> str:
        """The neutral name shown in the municipality being served (civic.pseudonyms)."""
        from .pseudonyms import code_here

        return _("Resident %(code)s") % {"code": code_here(self.pseudonym_code)}

    @property
    def public_name(self) -> str:
        """The only name other people ever see."""
        if self.is_deleted:
            return str(_("Deleted user"))
        if self.show_name_publicly and self.display_name.strip():
            return self.display_name.strip()
        return str(self.pseudonym)

    # For templates; the predicates in civic.permissions are the definitions.
    @property
    def is_administrator(self) -> bool:
        from .permissions import is_administrator

        return is_administrator(self)

    @property
    def is_planner(self) -> bool:
        from .permissions import is_planner

        return is_planner(self)

    @property
    def is_councillor(self) -> bool:
        from .permissions import is_councillor

        return is_councillor(self)


class AuditEntry(models.Model):
    """Who did what to which object, when and why. Rows are never edited or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    consultation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Whose log it is: the municipality being served when it was written (civic.tenancy).
    municipality_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reason = models.TextField(_("why"), blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = scoped_manager(models.QuerySet, "municipality")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


class Notification(models.Model):
    """A notice for one person: what they see on the site, the daily-digest queue, and the
    opt-outs per kind.

    A row with a subject is a notice: shown on the person's notifications page (unread until
    `read_at`), and e-mailed at once or in the next digest (waiting while `sent_at` is empty).
    A row with `opted_out` set records that the person unsubscribed from that kind's e-mails;
    it holds no message. Keeping both in one table keeps a person's notification state in one
    place.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, db_index=True)
    opted_out = models.BooleanField(default=False)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind"],
                condition=models.Q(opted_out=True),
                name="notification_opt_out_once_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "sent_at"])]

    def __str__(self):
        return f"{self.recipient_id} {self.kind} {self.subject}"


class LegalPage(models.Model):
    """The municipality's own text of a public-sector page, in one language. Without a row the
    shipped default is shown (civic/legal_texts). Each change of the text is a new version, so
    a consent records exactly what the person accepted."""

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Privacy notice")
        TERMS = "terms", _("Terms of use")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        COOKIES = "cookies", _("Cookies")

    # Each municipality writes its own (Harstad's privacy notice names Harstad as controller).
    municipality = models.ForeignKey(
        "Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        default=tenancy_current_id,
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(
        _("text"), help_text=_("Markdown. Shown instead of the default text for this language.")
    )
    version = models.PositiveIntegerField(_("version"), default=2, editable=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = scoped_manager(models.QuerySet, "municipality")

    class Meta:
        verbose_name = _("public page")
        verbose_name_plural = _("public pages (privacy, terms, accessibility, cookies)")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "language"],
                name="legal_page_once_per_language_and_municipality",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A named key for the API. Only its SHA-256 digest is stored, with the first characters
    for people to tell their tokens apart: the key itself is shown once, when it is made, and
    nobody (the database included) can show it again (civic.api_tokens)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Municipality(models.Model):
    """One municipality served by this installation: its host names, name, logo, colour,
    languages, contact, map and e-mail sender. Everything residents and staff see belongs to
    one (consultations directly, the rest through them); roles are held per municipality
    (Membership). A blank field of the first municipality falls back to the environment's
    setting (civic.branding), so a single-municipality installation keeps its configuration."""

    slug = models.SlugField(
        _("short name"),
        max_length=40,
        unique=True,
        help_text=_(
            "Lower-case letters, digits and hyphens; also the development address "
            "<short name>.localhost."
        ),
    )
    name = models.CharField(_("municipality's name"), max_length=120, blank=True)
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    brand_colour = models.CharField(_("brand colour"), max_length=7, blank=True)
    language = models.CharField(
        _("default language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of pages before a visitor picks one, and of what it publishes."),
    )
    languages = models.CharField(
        _("languages offered"),
        max_length=40,
        blank=True,
        help_text=_("Language codes, comma-separated (for example: nb, en). Empty: all of them."),
    )
    contact_email = models.EmailField(_("contact address"), blank=True)
    email_sender = models.CharField(
        _("e-mail sender"),
        max_length=200,
        blank=True,
        help_text=_(
            "For example: Harstad kommune <noreply@harstad.kommune.no>. "
            "Empty: the installation's sender."
        ),
    )
    map_center_lat = models.FloatField(_("map centre, latitude"), null=True, blank=True)
    map_center_lon = models.FloatField(_("map centre, longitude"), null=True, blank=True)
    map_zoom = models.PositiveSmallIntegerField(_("map zoom"), null=True, blank=True)
    tile_url = models.CharField(_("map tile address"), max_length=300, blank=True)
    tile_attribution = models.CharField(_("map attribution"), max_length=300, blank=True)
    geocoder_countries = models.CharField(
        _("address search countries"),
        max_length=40,
        blank=True,
        help_text=_(
            "Two-letter country codes, comma-separated (for example: no). "
            "Empty: the installation's setting."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Derives the pseudonyms residents appear under here (civic.pseudonyms), so one account
    # taking part in two municipalities cannot be linked by its pseudonym. Empty for the first
    # municipality of an upgraded installation: it keeps the pseudonyms it already published.
    pseudonym_key = models.CharField(
        max_length=43, blank=True, editable=False, default=new_pseudonym_key
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name or self.slug


class MunicipalityHost(models.Model):
    """A host name a municipality is served at (without port), e.g. deltag.harstad.kommune.no.
    Requests are routed by it (civic.tenancy)."""

    host = models.CharField(_("host name"), max_length=253, unique=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="hosts", verbose_name=_("municipality")
    )
    is_primary = models.BooleanField(
        _("primary"), default=False, help_text=_("The address links in e-mails and posts use.")
    )

    class Meta:
        ordering = ["-is_primary", "host"]
        verbose_name = _("host name")
        verbose_name_plural = _("host names")

    def __str__(self):
        return self.host

    def save(self, *args, **kwargs):
        self.host = normalised_host(self.host)
        super().save(*args, **kwargs)


def normalised_host(host: str) -> str:
    """A host name as routing compares it: lower case, no port, no trailing dot."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.split(":")[0].rstrip(".")


class Membership(models.Model):
    """A person's role in one municipality. Without a row the person is a resident there; a
    planner of Harstad is nobody special in Copenhagen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT, db_index=True
    )
    limited_to_assigned = models.BooleanField(
        _("limited to assigned consultations"),
        default=False,
        help_text=_("A planner with this set may only run the consultations they are assigned to."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="membership_once_per_municipality"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.municipality_id} {self.role}"


class Consent(models.Model):
    """A person accepted one municipality's terms of use and privacy notice: at sign-up for the
    municipality they signed up at, and before taking part in another for the first time (each
    municipality is the controller of what residents give it, with texts of its own)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    terms_version = models.PositiveIntegerField()
    privacy_version = models.PositiveIntegerField()
    consented_at = models.DateTimeField()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="consent_once_per_municipality"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.municipality_id} {self.consented_at:%Y-%m-%d}"
