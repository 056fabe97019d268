"""Export jobs: asking for a file, running the job, and handing out a fresh file.

A file is fresh while the consultation's data fingerprint (selectors.data_version) is the one
it was made from; asking again after any change makes a new one. Small consultations are
exported within the request; big ones go to a Celery worker and the caller polls the job.

A worker may die mid-export (killed, out of memory, machine lost). Celery then delivers the task
again (acks_late, reject_on_worker_lost) and that delivery takes the job over; a job whose worker
went quiet for REPORTS_JOB_STALE_MINUTES is sent again by `export_jobs_requeue_stale`. Each take-
over is a new attempt, and only the newest attempt may write to the job (see ExportJob.attempts).

Arrivals from the social channels are counted here too (`referral_count`).
"""

import hashlib
import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import tenancy
from civic.audit import audit_record
from civic.sql import quoted
from consultations.models import Consultation
from debate.models import Comment
from ideas.models import Idea

from .exports import ExportContext
from .formats import FORMATS, build_file
from .models import ExportJob, Referral
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
    job = (
        ExportJob.objects.filter(
            consultation=consultation, name=name, variant=variant, data_version=version
        )
        .filter(
            status__in=[ExportJob.Status.DONE, ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if job is not None:
        if not job.is_finished and job.heartbeat_at < _stale_before():
            # Lost (a worker died mid-export or the broker dropped the task): asking again
            # sends it to a worker again instead of waiting for it forever.
            transaction.on_commit(lambda: export_job_requeue(job))
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


MAX_ATTEMPTS = 3


class Superseded(Exception):
    """Another attempt took the job over; this one stops without writing."""


def _stale_before():
    return timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES)


def export_job_claim(*, job_id: int, task_id: str = "") -> int | None:
    """Take the job for one attempt and return the attempt's number, or None if it is not ours.

    A queued job is free. A running job is taken over only when its attempt is gone: the same
    Celery task is delivered again (the broker does so only after the worker that had it died)
    or the job showed no sign of life for REPORTS_JOB_STALE_MINUTES. The update is conditional on
    the attempt number read, so of two claims at the same moment exactly one wins.
    """
    row = (
        ExportJob.objects.filter(pk=job_id)
        .values("status", "task_id", "attempts", "heartbeat_at")
        .first()
    )
    if row is None or row["status"] not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        return None
    if row["status"] == ExportJob.Status.RUNNING:
        redelivered = bool(task_id) and row["task_id"] == task_id
        if not redelivered and row["heartbeat_at"] >= _stale_before():
            return None  # someone is working on it
    attempt = row["attempts"] + 1
    now = timezone.now()
    if attempt > MAX_ATTEMPTS:
        # Every attempt so far died (a file too big for the worker's memory, say): stop
        # sending it round and let the person asking see the failure.
        ExportJob.objects.filter(pk=job_id, attempts=row["attempts"]).update(
            status=ExportJob.Status.FAILED,
            error=_("The export stopped %(count)s times before it was finished.")
            % {"count": row["attempts"]},
            finished_at=now,
        )
        logger.error("export job %s failed after %s attempts", job_id, row["attempts"])
        return None
    claimed = ExportJob.objects.filter(
        pk=job_id, status=row["status"], attempts=row["attempts"]
    ).update(
        status=ExportJob.Status.RUNNING,
        progress=0,
        attempts=attempt,
        task_id=task_id,
        claimed_at=now,
        heartbeat_at=now,
    )
    if not claimed:
        return None
    if row["status"] == ExportJob.Status.RUNNING:
        logger.warning("export job %s taken over by attempt %s", job_id, attempt)
    return attempt


def export_job_run(*, job_id: int, task_id: str = "") -> None:
    """Make the job's file. Only the attempt that claimed the job works on it, so a job is never
    made twice at once by a worker and a request, or by two deliveries of its task."""
    attempt = export_job_claim(job_id=job_id, task_id=task_id)
    if attempt is None:
        return
    job = ExportJob.objects.select_related("consultation").get(pk=job_id)
    # The file carries its consultation's municipality: name, logo, language, map, links.
    with tenancy.activate_for(job.consultation):
        _export_job_make(job, attempt)


def _export_job_make(job: ExportJob, attempt: int) -> None:
    job_id = job.pk
    ours = ExportJob.objects.filter(pk=job_id, attempts=attempt)
    last = {"percent": 0}

    def progress(percent: int) -> None:
        # Progress is the heartbeat; finding the job taken over ends this attempt.
        percent = max(percent, last["percent"])
        last["percent"] = percent
        if not ours.update(progress=percent, heartbeat_at=timezone.now()):
            raise Superseded

    consultation = job.consultation
    version = data_version(consultation)
    ctx = ExportContext(consultation=consultation, variant=job.variant, progress=progress)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            path = os.path.join(workdir, job.name)
            build_file(ctx, job.name, path)
            checksum, size = _checksum(path)
            _remove_earlier_files(job)
            with open(path, "rb") as handle:
                job.file.save(f"{consultation.slug}-{job.name}", File(handle), save=False)
    except Superseded:
        logger.warning("export job %s: attempt %s was taken over and stops", job_id, attempt)
        return
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        ours.update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return
    finished = ours.update(
        status=ExportJob.Status.DONE,
        progress=100,
        file=job.file.name,
        checksum=checksum,
        size=size,
        data_version=version,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not finished:
        # Taken over between the last progress and now: the newer attempt writes the file.
        job.file.delete(save=False)


def _remove_earlier_files(job: ExportJob) -> None:
    """An attempt that died after storing its file left it behind; the job keeps one file."""
    folder = os.path.dirname(job.file.field.generate_filename(job, "file"))
    storage = job.file.storage
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        storage.delete(f"{folder}/{name}")


def export_job_requeue(job: ExportJob) -> bool:
    """Send a lost job to a worker again; False if another caller did so first.

    Touching the heartbeat first (conditional on the value read) keeps two sweeps, or a sweep
    and a request, from sending the same job twice, and gives the new task a full period.
    """
    touched = ExportJob.objects.filter(
        pk=job.pk,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        heartbeat_at=job.heartbeat_at,
    ).update(heartbeat_at=timezone.now())
    if not touched:
        return False
    from .tasks import run_export_job

    # A running job's attempt is presumed dead now; the new task may take it over once the
    # heartbeat is stale again, or at once when it finds the job still queued.
    if job.status == ExportJob.Status.RUNNING:
        ExportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
            status=ExportJob.Status.QUEUED, progress=0
        )
    _enqueue(run_export_job, job.pk)
    return True


def export_jobs_requeue_stale() -> int:
    """Send every job that showed no sign of life for REPORTS_JOB_STALE_MINUTES to a worker
    again (the periodic sweep); return how many were sent."""
    stale = ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        heartbeat_at__lt=_stale_before(),
    ).order_by("heartbeat_at")
    return sum(1 for job in stale if export_job_requeue(job))


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


# --- arrivals from the social channels ------------------------------------------------------------


def referral_count(*, slug: str, source: str, day) -> bool:
    """Count one visitor who arrived at consultation `slug` from `source` on `day`.

    One statement, race-free on PostgreSQL and SQLite alike: the row is inserted with one visit
    or, when it exists, incremented in place by the database (ON CONFLICT ... DO UPDATE), and a
    slug that names no consultation inserts nothing. Returns whether a consultation was found.
    """
    (referrals,) = quoted(Referral)
    (consultations,) = quoted(Consultation)
    # Only table names are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {referrals} (consultation_id, source, day, visits) "  # noqa: S608
        f"SELECT id, %s, %s, 1 FROM {consultations} WHERE slug = %s "
        "ON CONFLICT (consultation_id, source, day) "
        f"DO UPDATE SET visits = {referrals}.visits + 1"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [source, day, slug])
        return cursor.rowcount > 0
