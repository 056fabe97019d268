"""`manage.py seed_bench`: bulk benchmark data (see bench/generator.py)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Add deterministic benchmark data in bulk (never on a live site)."

    def add_arguments(self, parser):
        parser.add_argument("--ideas", type=int, default=10_000)
        parser.add_argument("--supports", type=int, default=100_000)
        parser.add_argument("--comments", type=int, default=20_000)
        parser.add_argument("--users", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--consultation", default="bench", help="slug; created if missing")

    def handle(self, *args, **options):
        # bench/ is a folder of scripts beside the apps, not an installed package.
        root = str(settings.BASE_DIR)
        if root not in sys.path:
            sys.path.insert(0, root)
        from bench.generator import seed

        report = seed(
            ideas=options["ideas"],
            supports=options["supports"],
            comments=options["comments"],
            users=options["users"],
            seed=options["seed"],
            slug=options["consultation"],
        )
        self.stdout.write(f"Seeded {options['consultation']}: {report.summary()}")
