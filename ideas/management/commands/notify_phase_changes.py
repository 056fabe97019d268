from django.core.management.base import BaseCommand

from ideas.services import phase_changes_announce


class Command(BaseCommand):
    help = "E-mail followers when a new phase of a consultation starts (run every few minutes)."

    def handle(self, *args, **options):
        announced = phase_changes_announce()
        self.stdout.write(f"Announced {announced} new phase(s).")
