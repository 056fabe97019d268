"""Export jobs (a file made in the background, its progress and the finished file) and the
daily count of visitors who arrived from a social channel or an embedded page."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.tenancy import scoped_manager
from consultations.models import Consultation
from social.models import PLATFORM_CHOICES


def export_file_path(instance, filename):
    return f"exports/{instance.consultation_id}/{instance.pk or 'new'}/{filename}"


class ExportJob(models.Model):
    class Variant(models.TextChoices):
        PUBLIC = "public", _("Public (anonymised)")
        FULL = "full", _("Full (staff)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="export_jobs"
    )
    name = models.CharField(_("file"), max_length=40)
    variant = models.CharField(_("variant"), max_length=10, choices=Variant.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=export_file_path, max_length=300, blank=True)
    error = models.TextField(blank=True)
    # The consultation's data fingerprint when the job started: a file is fresh while the
    # fingerprint is unchanged (reports.selectors.data_version).
    data_version = models.CharField(max_length=64, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who works on the job. Each claim increments `attempts`, and an attempt writes to the job
    # only while `attempts` is still its own number, so an attempt that was taken over (its
    # worker presumed dead) can never overwrite the one that replaced it.
    task_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life: queued, claimed or progress made. Past REPORTS_JOB_STALE_MINUTES
    # the job is presumed lost and is sent to a worker again.
    heartbeat_at = models.DateTimeField(default=timezone.now)

    objects = scoped_manager(models.QuerySet, "consultation__municipality")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [
            models.Index(
                fields=["consultation", "name", "variant", "-created_at"], name="export_job_lookup"
            )
        ]

    def __str__(self):
        return f"{self.consultation_id} {self.name} ({self.variant}) {self.status}"

    def get_absolute_url(self):
        return reverse("reports:job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def download_filename(self) -> str:
        return f"{self.consultation.slug}-{self.name}"


EMBED = "embed"
# The platforms the municipality posts to, and the embed on other sites (social.views).
SOCIAL_SOURCES = tuple(value for value, _label in PLATFORM_CHOICES)
SOURCE_CHOICES = [*PLATFORM_CHOICES, (EMBED, _("Embedded page"))]
SOURCES = frozenset(value for value, _label in SOURCE_CHOICES)


class Referral(models.Model):
    """Visitors who arrived at a consultation from one source on one day.

    Counted by reports.middleware from the UTM parameters of the links the platform posts
    (social.services.tracked_link) and of the embed's links: one row per consultation, source
    and day, incremented in place.
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="referrals"
    )
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES)
    day = models.DateField(_("day"))
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        ordering = ["consultation", "day", "source"]
        verbose_name = _("arrival count")
        verbose_name_plural = _("arrival counts")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "source", "day"], name="referral_one_row_per_day"
            )
        ]

    def __str__(self):
        return f"{self.consultation_id} {self.source} {self.day}: {self.visits}"
