from django.core.management.base import BaseCommand

from civic.notifications import send_digests


class Command(BaseCommand):
    help = "Send the daily digest e-mail to everyone with queued notices (run once a day)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Sent {sent} digest e-mail(s).")
