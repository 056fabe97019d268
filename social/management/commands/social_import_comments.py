"""Import public replies to the published posts."""

from django.core.management.base import BaseCommand

from social.readback import import_comments


class Command(BaseCommand):
    help = "Import new public comments on published social posts."

    def handle(self, *args, **options):
        self.stdout.write(f"imported {import_comments()} comments")
