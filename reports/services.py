"""Export jobs: asking for a file, running the job, and handing out a fresh file.

A file is fresh while the consultation's data fingerprint (selectors.data_version) is the one
it was made from; asking again after any change makes a new one. Small consultations are
exported within the request; big ones go to a Celery worker and the caller polls the job.
"""

import hashlib
import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civic.audit import audit_record
from consultations.models import Consultation
from debate.models import Comment
from ideas.models import Idea

from .exports import ExportContext
from .formats import FORMATS
from .models import ExportJob
from .permissions import FULL, can_export, can_export_archive
from .selectors import data_version

logger = logging.getLogger(__name__)


def _check_request(*, consultation: Consultation, name: str, variant: str, user) -> None:
    if name not in FORMATS:
        raise ValidationError({"name": _("Unknown export %(name)s.") % {"name": name}})
    if variant not in ExportJob.Variant.values:
        raise ValidationError({"variant": _("Choose public or full.")})
    if not can_export(user, consultation, variant):
        if variant == FULL:
            raise PermissionDenied(_("Only staff and councillors may export the full data."))
        raise PermissionDenied(_("The results of this consultation are not published yet."))
    if FORMATS[name].staff_only and not can_export_archive(user, consultation):
        raise PermissionDenied(_("The archive package is made by staff for a closed consultation."))


@transaction.atomic
def export_request(*, consultation: Consultation, name: str, variant: str, user) -> ExportJob:
    """The job for this file: a finished or running one while the data is unchanged, else a
    new job queued for a worker."""
    _check_request(consultation=consultation, name=name, variant=variant, user=user)
    version = data_version(consultation)
    # A job queued or running for longer than this was lost (a worker died mid-export or the
    # broker dropped it); asking again starts a new one instead of waiting for it forever.
    stale_before = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES)
    job = (
        ExportJob.objects.filter(
            consultation=consultation, name=name, variant=variant, data_version=version
        )
        .filter(
            Q(status=ExportJob.Status.DONE)
            | Q(
                status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
                created_at__gte=stale_before,
            )
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if job is not None:
        return job
    job = ExportJob(
        consultation=consultation,
        name=name,
        variant=variant,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        data_version=version,
    )
    job.full_clean(exclude=["file"])
    job.save()
    if variant == FULL:
        audit_record(
            actor=job.requested_by,
            action="reports.export_full",
            target=job,
            consultation_id=consultation.pk,
            changes={"name": name},
        )
    from .tasks import run_export_job

    transaction.on_commit(lambda: _enqueue(run_export_job, job.pk))
    return job


def _enqueue(task, job_id: int) -> None:
    """Hand the job to a worker. With the broker down the job stays queued, and a worker
    starts it once the broker is back (jobs older than REPORTS_JOB_STALE_MINUTES are started
    again on the next request for the same file), instead of the request failing."""
    from kombu.exceptions import OperationalError

    try:
        task.delay(job_id)
    except OperationalError:
        logger.warning("export job %s stays queued: the task broker is unavailable", job_id)


def export_is_small(consultation: Consultation) -> bool:
    """Whether a file can be made within the request without keeping anyone waiting."""
    limit = settings.REPORTS_INLINE_MAX_ROWS
    rows = Idea.objects.filter(consultation=consultation).count()
    if rows > limit:
        return False
    rows += Comment.objects.filter(consultation=consultation).count()
    return rows <= limit


def export_for_download(*, consultation: Consultation, name: str, variant: str, user) -> ExportJob:
    """The job behind a download: finished at once when the consultation is small."""
    job = export_request(consultation=consultation, name=name, variant=variant, user=user)
    if not job.is_finished:
        job.refresh_from_db()  # an eager or quick worker may have finished it already
    if not job.is_finished and export_is_small(consultation):
        export_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def export_job_run(*, job_id: int) -> None:
    """Make the job's file. Only the caller that moves the job from queued to running works on
    it, so a job is never made twice by a worker and a request at the same time."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress=0
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("consultation").get(pk=job_id)
    last = {"percent": 0}

    def progress(percent: int) -> None:
        if percent > last["percent"]:
            last["percent"] = percent
            ExportJob.objects.filter(pk=job_id).update(progress=percent)

    consultation = job.consultation
    version = data_version(consultation)
    ctx = ExportContext(consultation=consultation, variant=job.variant, progress=progress)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            path = os.path.join(workdir, job.name)
            FORMATS[job.name].build(ctx, path)
            checksum, size = _checksum(path)
            with open(path, "rb") as handle:
                job.file.save(f"{consultation.slug}-{job.name}", File(handle), save=False)
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE,
        progress=100,
        file=job.file.name,
        checksum=checksum,
        size=size,
        data_version=version,
        finished_at=timezone.now(),
    )


def _checksum(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def export_files_purge(*, older_than_days: int) -> int:
    """Delete jobs (and their files) older than this; return how many. The newest finished
    file of each export is kept, so the API can still answer it at once."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    keep, seen = set(), set()
    for row in (
        ExportJob.objects.filter(status=ExportJob.Status.DONE)
        .order_by("-created_at", "-id")
        .values_list("consultation_id", "name", "variant", "id")
    ):
        if row[:3] not in seen:
            seen.add(row[:3])
            keep.add(row[3])
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).exclude(pk__in=keep).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
