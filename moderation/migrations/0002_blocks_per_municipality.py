"""A block belongs to the municipality whose moderators made it; the ones so far to the first."""

import django.db.models.deletion
from django.db import migrations, models

import civic.tenancy


def into_first_municipality(apps, schema_editor):
    first = apps.get_model("civic", "Municipality").objects.order_by("pk").first()
    if first is not None:
        apps.get_model("moderation", "Block").objects.update(municipality=first)


def _field(null, final=False):
    return models.ForeignKey(
        null=null,
        # Not null and without a default first: the schema editor then fills nothing by calling
        # the default (which reads the municipalities as the code, not this migration, has them).
        default=civic.tenancy.current_id if final else None,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="civic.municipality",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0011_municipalities"),
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="block", name="municipality", field=_field(True)),
        migrations.RunPython(into_first_municipality, migrations.RunPython.noop),
        migrations.AlterField(model_name="block", name="municipality", field=_field(False)),
        migrations.AlterField(model_name="block", name="municipality", field=_field(False, final=True)),
    ]
