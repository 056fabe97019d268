from django.core.management.base import BaseCommand

from reports.services import export_jobs_requeue_stale


class Command(BaseCommand):
    help = (
        "Send export jobs that showed no progress for REPORTS_JOB_STALE_MINUTES (their worker "
        "died or the broker lost the task) to a worker again."
    )

    def handle(self, *args, **options):
        sent = export_jobs_requeue_stale()
        self.stdout.write(f"{sent} stale export jobs sent again")
