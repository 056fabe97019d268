from django.conf import settings
from django.core.management.base import BaseCommand

from reports.services import export_files_purge


class Command(BaseCommand):
    help = "Delete export files older than REPORTS_EXPORT_KEEP_DAYS (the newest of each kept)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.REPORTS_EXPORT_KEEP_DAYS)

    def handle(self, *args, days: int, **options):
        removed = export_files_purge(older_than_days=days)
        self.stdout.write(f"{removed} export jobs removed")
