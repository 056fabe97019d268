from django.core.management.base import BaseCommand

from ideas.services import unconfirmed_ideas_purge


class Command(BaseCommand):
    help = "Delete ideas from visitors who did not confirm their e-mail in time (run hourly)."

    def handle(self, *args, **options):
        deleted = unconfirmed_ideas_purge()
        self.stdout.write(f"Deleted {deleted} unconfirmed idea(s).")
