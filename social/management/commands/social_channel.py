"""Connect, list and remove social channels from the shell (for integrators)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from social import services
from social.adapters import CREDENTIAL_FIELDS, config
from social.models import Channel


def _pairs(values: list[str]) -> dict[str, str]:
    credentials = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not sep or not name:
            raise CommandError(f"--cred takes key=value, not {value!r}")
        credentials[name.strip()] = content
    return credentials


def _owners(emails: list[str]) -> list:
    """The people told about the channel: existing planners or administrators, by e-mail."""
    from civic.models import User
    from civic.permissions import is_staff_role

    owners = []
    for email in emails:
        person = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if person is None or not is_staff_role(person):
            raise CommandError(f"--owner {email}: no planner or administrator has this address.")
        owners.append(person)
    return owners


class Command(BaseCommand):
    help = (
        "Manage social channels: add (with pasted credentials; the channels page also offers "
        "each platform's login), list, refresh-tokens, remove."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="Connect an account (the platform checks the credentials)."
        )
        add.add_argument("platform", choices=config.PLATFORMS)
        add.add_argument("--name", default="")
        add.add_argument(
            "--owner",
            action="append",
            required=True,
            metavar="EMAIL",
            help="A planner or administrator who is told when the channel or its posts fail "
            "(repeat for more).",
        )
        add.add_argument("--base-url", default="")
        add.add_argument(
            "--cred",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="; ".join(f"{p}: {', '.join(f)}" for p, f in CREDENTIAL_FIELDS.items()),
        )
        sub.add_parser("list", help="Show the connected channels.")
        sub.add_parser(
            "refresh-tokens",
            help="Renew the tokens that expire soon (the outbox run does this every minute).",
        )
        remove = sub.add_parser("remove", help="Stop using a channel.")
        remove.add_argument("channel_id", type=int)

    def handle(self, *args, action: str, **options):
        if action == "list":
            for channel in Channel.objects.listed():
                self.stdout.write(
                    f"{channel.pk:4}  {channel.platform:10} {channel.state:13} "
                    f"{channel.name}  {channel.base_url or '(default host)'}"
                    + ("  (token renewed automatically)" if channel.renews_token else "")
                )
            return
        if action == "refresh-tokens":
            from social.tokens import refresh_due

            self.stdout.write(f"Tokens renewed or already fresh: {refresh_due()}.")
            return
        if action == "remove":
            channel = Channel.objects.listed().filter(pk=options["channel_id"]).first()
            if channel is None:
                raise CommandError("No such channel.")
            services.channel_remove(actor=None, channel=channel)
            self.stdout.write(f"Removed {channel}.")
            return
        owners = _owners(options["owner"])
        try:
            channel = services.channel_connect(
                actor=None,
                platform=options["platform"],
                name=options["name"],
                base_url=options["base_url"],
                credentials=_pairs(options["cred"]),
                owners=owners,
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Connected {channel} (id {channel.pk})."))
