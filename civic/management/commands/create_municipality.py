"""`manage.py create_municipality`: a new municipality on this installation, its host names and,
optionally, its first administrator."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from civic import tenancy
from civic.audit import audit_record
from civic.memberships import membership_set
from civic.models import Municipality, MunicipalityHost, Role, User, normalised_host


class Command(BaseCommand):
    help = (
        "Create a municipality served at the given host names (the first is the primary one), "
        "optionally with its first administrator."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short name: lower-case letters, digits and hyphens.")
        parser.add_argument("--name", required=True, help="The municipality's name.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _label in settings.LANGUAGES],
        )
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            dest="hosts",
            help="A host name it is served at (repeat for more; the first is primary).",
        )
        parser.add_argument("--admin-email", default="", help="Its first administrator.")
        parser.add_argument("--contact-email", default="")

    def handle(self, *args, slug, name, language, hosts, admin_email, contact_email, **options):
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise CommandError(f"Not a short name: {slug!r}.") from error
        slug = slug.lower()
        if Municipality.objects.filter(slug=slug).exists():
            raise CommandError(f"The short name {slug!r} is taken.")
        hosts = [normalised_host(host) for host in hosts]
        if len(set(hosts)) != len(hosts):
            raise CommandError("A host name is given twice.")
        taken = MunicipalityHost.objects.filter(host__in=hosts).select_related("municipality")
        for row in taken:
            raise CommandError(f"The host {row.host} already serves {row.municipality}.")
        for address in filter(None, [admin_email, contact_email]):
            try:
                validate_email(address)
            except ValidationError as error:
                raise CommandError(f"Not an e-mail address: {address!r}.") from error

        with transaction.atomic():
            municipality = Municipality.objects.create(
                slug=slug, name=name, language=language, contact_email=contact_email
            )
            for position, host in enumerate(hosts):
                MunicipalityHost.objects.create(
                    host=host, municipality=municipality, is_primary=position == 0
                )
            with tenancy.activate(municipality.pk):
                audit_record(
                    actor=None,
                    action="municipality.create",
                    target=municipality,
                    changes={"slug": slug, "name": name, "hosts": hosts},
                )
                administrator, created = (
                    self._administrator(municipality, admin_email) if admin_email else (None, False)
                )
        tenancy.forget()

        self.stdout.write(self.style.SUCCESS(f"Created {municipality} ({slug})."))
        for host in hosts or [f"{slug}.localhost"]:
            self.stdout.write(f"  served at https://{host}/")
        if administrator is not None:
            if created:
                self.stdout.write(
                    f"  administrator: new account {administrator.email} without a password; "
                    "they choose one with “Forgot password?” on the sign-in page "
                    f"(https://{(hosts or [slug + '.localhost'])[0]}/accounts/password/reset/)."
                )
            else:
                self.stdout.write(
                    f"  administrator: {administrator.email} (existing account, same password)."
                )
        return None

    def _administrator(self, municipality, email):
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(username=email, email=email)
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        membership_set(user, role=Role.ADMINISTRATOR, municipality_id=municipality.pk)
        audit_record(
            actor=None,
            action="account.role_change",
            target=user,
            changes={"role": [None, Role.ADMINISTRATOR.value], "municipality": municipality.slug},
        )
        return user, created
