from django.core.management.base import BaseCommand

from ideas.services import purge_unconfirmed_ideas


class Command(BaseCommand):
    help = "Delete ideas from visitors who did not confirm their e-mail in time (run hourly)."

    def handle(self, *args, **options):
        deleted = purge_unconfirmed_ideas()
        self.stdout.write(f"Deleted {deleted} unconfirmed idea(s).")
