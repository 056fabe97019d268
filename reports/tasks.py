from celery import shared_task
from django.conf import settings


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> None:
    """Make the file of an export job; a job already finished or taken is left alone."""
    from .services import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="reports.purge_export_files", acks_late=True)
def purge_export_files() -> int:
    """Daily from beat (CELERY_BEAT_SCHEDULE); the same as `manage.py purge_exports`."""
    from .services import export_files_purge

    return export_files_purge(older_than_days=settings.REPORTS_EXPORT_KEEP_DAYS)
