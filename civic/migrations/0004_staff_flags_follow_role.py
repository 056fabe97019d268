from django.db import migrations


def flags_follow_role(apps, schema_editor):
    """The role becomes the one source of administrator powers. Superusers with another role
    were administrators before (the old rule was "superuser or administrator role"), so they
    keep their powers under the administrator role; everyone else's flags follow their role."""
    User = apps.get_model("civic", "User")
    User.objects.filter(is_superuser=True, is_deleted=False).update(role="administrator")
    admins = User.objects.filter(role="administrator", is_deleted=False)
    admins.update(is_staff=True, is_superuser=True)
    User.objects.exclude(pk__in=admins.values("pk")).update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [("civic", "0003_lowercase_emails")]

    operations = [migrations.RunPython(flags_follow_role, migrations.RunPython.noop)]
