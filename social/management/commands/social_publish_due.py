"""Run the social outbox once: send every approved post that is due."""

from django.core.management.base import BaseCommand

from social.outbox import run_due


class Command(BaseCommand):
    help = "Publish the social posts that are due (one pass of the outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, limit: int, **options):
        report = run_due(limit=limit)
        if report.paused_by_crisis_stop:
            self.stdout.write("Publishing is stopped (crisis stop); nothing was sent.")
            return
        self.stdout.write(
            f"published {len(report.published)}, retrying {len(report.retrying)}, "
            f"failed {len(report.failed)}, waiting for a person {len(report.needs_confirmation)}"
        )
