"""Export jobs: a file made in the background, its progress and the finished file."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation


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
