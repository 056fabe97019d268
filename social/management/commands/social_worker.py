"""The outbox worker for a site without Celery: runs the outbox every few seconds."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from social.outbox import run_due


class Command(BaseCommand):
    help = "Publish due social posts in a loop until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=None)
        parser.add_argument("--runs", type=int, default=0, help="Stop after this many passes.")

    def handle(self, *args, interval: float | None, runs: int, **options):
        interval = interval if interval is not None else settings.SOCIAL_WORKER_INTERVAL_SECONDS
        done = 0
        try:
            while not runs or done < runs:
                if done:
                    # A long-running loop must not hold a connection the database dropped.
                    close_old_connections()
                report = run_due()
                if report.handled:
                    self.stdout.write(
                        f"published {len(report.published)}, retrying {len(report.retrying)}, "
                        f"failed {len(report.failed)}"
                    )
                done += 1
                if not runs or done < runs:
                    time.sleep(interval)
        except KeyboardInterrupt:
            pass
