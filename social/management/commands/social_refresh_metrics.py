"""Read each published post's engagement back from its platform."""

from django.core.management.base import BaseCommand

from social.readback import refresh_metrics


class Command(BaseCommand):
    help = "Refresh the engagement figures of published social posts."

    def handle(self, *args, **options):
        self.stdout.write(f"updated {refresh_metrics()} posts")
