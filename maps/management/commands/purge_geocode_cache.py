from django.core.management.base import BaseCommand

from maps.geocoding import purge_expired_cache


class Command(BaseCommand):
    help = "Delete expired geocoding answers from the database cache."

    def handle(self, *args, **options):
        deleted = purge_expired_cache()
        self.stdout.write(f"Deleted {deleted} expired geocoding answers.")
