"""Draft posts for consultation events: opening, a new phase, results, the weekly top ideas."""

from django.core.management.base import BaseCommand

from social.services import event_posts_draft_due


class Command(BaseCommand):
    help = "Draft social posts (one per active channel) for consultation events."

    def handle(self, *args, **options):
        self.stdout.write(f"drafted {len(event_posts_draft_due())} posts")
