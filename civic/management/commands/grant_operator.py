"""`manage.py grant_operator <email>`: make an account a platform operator, who creates
municipalities in Django Administration and sees no resident's data without a role."""

from django.core.management.base import BaseCommand, CommandError

from civic.audit import audit_record
from civic.models import User


class Command(BaseCommand):
    help = "Make the account with this e-mail address a platform operator (--revoke: undo)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, email, revoke=False, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email}.")
        wanted = not revoke
        if user.is_operator != wanted:
            User.objects.filter(pk=user.pk).update(is_operator=wanted)
            audit_record(
                actor=None,
                action="account.operator_grant" if wanted else "account.operator_revoke",
                target=user,
            )
        state = "is a platform operator" if wanted else "is no longer a platform operator"
        self.stdout.write(self.style.SUCCESS(f"{user.email} {state}."))
