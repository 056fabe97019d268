from django.db import migrations
from django.db.models.functions import Lower


def lowercase_emails(apps, schema_editor):
    """allauth looks addresses up in lower case; store every address that way."""
    User = apps.get_model("civic", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))
    EmailAddress.objects.exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0002_notifications"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(lowercase_emails, migrations.RunPython.noop)]
