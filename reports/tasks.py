from celery import shared_task


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_export_job(self, job_id: int) -> None:
    """Make the file of an export job; a job already finished or taken is left alone.

    The task id goes with the claim: when the worker dies mid-export the broker delivers the
    same task again, and that delivery may take the job over at once."""
    from .services import export_job_run

    export_job_run(job_id=job_id, task_id=self.request.id or "")
