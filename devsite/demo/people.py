"""Demo accounts, one per role. Used by `manage.py load_demo`."""

import secrets

from allauth.account.models import EmailAddress
from django.utils import translation

from civic.models import Role, User

DEMO_ACCOUNTS = [
    # (e-mail, role, display name, show name publicly)
    ("admin@demo.borgerdialog.dk", Role.ADMINISTRATOR, "Demo Administrator", True),
    ("planner@demo.borgerdialog.dk", Role.PLANNER, "Line Sørensen, Byudvikling", True),
    ("planner2@demo.borgerdialog.dk", Role.PLANNER, "Kari Nilsen, Byutvikling Harstad", True),
    ("councillor@demo.borgerdialog.dk", Role.COUNCILLOR, "Jens Holm, Borgerrepræsentationen", True),
    ("resident@demo.borgerdialog.dk", Role.RESIDENT, "Mette", False),
]


def load(stdout) -> dict[str, User]:
    """Create or refresh the demo accounts with new random passwords, printed once."""
    users = {}
    rows = []
    for email, role, name, public in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(
            email=email,
            defaults={
                "username": email,
                "role": role,
                "display_name": name,
                "show_name_publicly": public,
            },
        )
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[role.value if role.value not in users else f"{role.value}2"] = user
        # The console speaks English whatever LANGUAGE_CODE is: one language, not a mix.
        with translation.override("en"):
            rows.append((str(role.label), email, password))
    stdout.write("\nDemo accounts (passwords are new each time the demo is loaded):")
    for label, email, password in rows:
        stdout.write(f"  {str(label):<14} {email:<36} {password}")
    stdout.write("")
    return users


def present() -> bool:
    """Whether every demo account exists (the demo has been loaded before)."""
    emails = [email for email, *_ in DEMO_ACCOUNTS]
    return User.objects.filter(email__in=emails).count() == len(emails)
