from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app's part of the demo, in the order of the apps' layers. A loader takes (stdout, users)
# and must be idempotent: running the command twice changes nothing but the demo passwords.
DEMO_MODULES = [
    "devsite.demo.consultations",
    "devsite.demo.plans",
    "devsite.demo.survey",
    "devsite.demo.ideas",
    "devsite.demo.debate",
    "devsite.demo.moderation",
    "devsite.demo.social",
]


class Command(BaseCommand):
    help = "Load the demo consultations and one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="Do nothing when the demo is already loaded (a second `make run` starts fast).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (never on a live site).",
        )

    def handle(self, *args, force=False, if_needed=False, **options):
        if not settings.DEBUG and not settings.TESTING and not force:
            raise CommandError(
                "The demo creates accounts with known passwords; "
                "it only runs with DEBUG on, or with --force."
            )
        from devsite.demo import people

        if if_needed and _demo_present(people):
            self.stdout.write(
                "The demo is already loaded; its accounts keep the passwords printed when it was "
                "loaded. `manage.py load_demo` gives them new ones."
            )
            return
        with transaction.atomic():
            users = people.load(self.stdout)
            for name in DEMO_MODULES:
                import_module(name).load(self.stdout, users)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))


def _demo_present(people) -> bool:
    from consultations.models import Consultation

    # Each consultation in its own municipality.
    demo = {
        ("kobenhavn", "christiansholm"),
        ("harstad", "harstad-sentrumstunnel"),
        ("harstad", "harstad-skolevei"),
    }
    consultations = set(
        Consultation.everywhere.filter(slug__in=[slug for _m, slug in demo]).values_list(
            "municipality__slug", "slug"
        )
    )
    return people.present() and consultations == demo
