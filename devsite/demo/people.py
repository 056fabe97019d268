"""Demo accounts: planner, councillor and administrator in each demo municipality, and one
resident. One account works in every municipality; the roles are per municipality
(civic.memberships). Used by `manage.py load_demo`."""

import secrets

from allauth.account.models import EmailAddress
from django.utils import translation

from civic import tenancy
from civic.consent import consent_record
from civic.memberships import membership_set
from civic.models import Role, User
from devsite.demo import municipalities as demo_municipalities

DEMO_ACCOUNTS = [
    # (e-mail, municipality, role, display name, show name publicly)
    ("admin@demo.borgerdialog.dk", "kobenhavn", Role.ADMINISTRATOR, "Demo Administrator", True),
    ("planner@demo.borgerdialog.dk", "kobenhavn", Role.PLANNER, "Line Sørensen, Byudvikling", True),
    (
        "councillor@demo.borgerdialog.dk",
        "kobenhavn",
        Role.COUNCILLOR,
        "Jens Holm, Borgerrepræsentationen",
        True,
    ),
    (
        "planner2@demo.borgerdialog.dk",
        "harstad",
        Role.PLANNER,
        "Kari Nilsen, Byutvikling Harstad",
        True,
    ),
    (
        "admin.harstad@demo.borgerdialog.dk",
        "harstad",
        Role.ADMINISTRATOR,
        "Demo-administrator Harstad",
        True,
    ),
    (
        "councillor.harstad@demo.borgerdialog.dk",
        "harstad",
        Role.COUNCILLOR,
        "Ola Hansen, bystyret",
        True,
    ),
    ("resident@demo.borgerdialog.dk", None, Role.RESIDENT, "Mette", False),
]


def load(stdout) -> dict[str, User]:
    """Create or refresh the demo accounts with new random passwords, printed once.

    Keys: "administrator", "planner", "councillor" (København), "planner2", "administrator2",
    "councillor2" (Harstad), "resident"."""
    municipalities = demo_municipalities.load(stdout)  # first: the roles are held there
    users = {}
    rows = []
    for email, slug, role, name, public in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(
            email=email,
            defaults={"username": email, "display_name": name, "show_name_publicly": public},
        )
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save()
        if slug is not None:
            membership_set(user, role=role, municipality_id=municipalities[slug].pk)
        else:
            # The resident signed up in København: Harstad asks for its own terms first.
            with tenancy.activate(municipalities["kobenhavn"].pk):
                consent_record(user, language="da")
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[role.value if role.value not in users else f"{role.value}2"] = user
        # The console speaks English whatever LANGUAGE_CODE is: one language, not a mix.
        with translation.override("en"):
            where = municipalities[slug].name if slug else "(no role)"
            rows.append((where, str(role.label), email, password))
    stdout.write("\nDemo accounts (passwords are new each time the demo is loaded):")
    for where, label, email, password in rows:
        stdout.write(f"  {where:<19} {label:<14} {email:<40} {password}")
    stdout.write("")
    return users


def present() -> bool:
    """Whether every demo account exists (the demo has been loaded before)."""
    emails = [email for email, *_ in DEMO_ACCOUNTS]
    return User.objects.filter(email__in=emails).count() == len(emails)
