from celery import shared_task


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> None:
    """Make the file of an export job; a job already finished or taken is left alone."""
    from .services import export_job_run

    export_job_run(job_id=job_id)
