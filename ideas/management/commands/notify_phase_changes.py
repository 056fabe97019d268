from django.core.management.base import BaseCommand

from ideas.services import announce_phase_changes


class Command(BaseCommand):
    help = "E-mail followers when a new phase of a consultation starts (run every few minutes)."

    def handle(self, *args, **options):
        announced = announce_phase_changes()
        self.stdout.write(f"Announced {announced} new phase(s).")
