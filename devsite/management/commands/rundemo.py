"""`make run`: migrate, load the demo when it is not there yet, and start the development server,
in one process start (each `manage.py` start costs the whole import of the project)."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the demo if needed and run the development server."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        # The autoreloader starts this command again in a child process (RUN_MAIN is set
        # there); the database work is done once, by the parent.
        if os.environ.get("RUN_MAIN") != "true":
            call_command("migrate", interactive=False, verbosity=0)
            call_command("load_demo", if_needed=True)
            self._addresses(addrport)
        call_command("runserver", addrport)

    def _addresses(self, addrport):
        from devsite.demo.municipalities import addresses

        port = addrport.rsplit(":", 1)[-1] if ":" in addrport else addrport
        self.stdout.write("\nOne installation, two municipalities; open each at its own address:")
        for name, address in addresses(port):
            self.stdout.write(f"  {name:<20} {address}")
        self.stdout.write(
            "  (*.localhost is 127.0.0.1 in Chromium, Firefox and curl; elsewhere add the names "
            "to /etc/hosts.)\n"
        )
