"""Channels and crisis stops belong to a municipality: the existing ones to the first."""

import django.db.models.deletion
from django.db import migrations, models

import civic.tenancy


def into_first_municipality(apps, schema_editor):
    Municipality = apps.get_model("civic", "Municipality")
    first = Municipality.objects.order_by("pk").first()
    if first is None:
        return
    for name in ("Channel", "CrisisStop"):
        apps.get_model("social", name).objects.filter(municipality__isnull=True).update(
            municipality=first
        )


def _field(related_name, null, final=False):
    return models.ForeignKey(
        null=null,
        # Not null and without a default first: the schema editor then fills nothing by calling
        # the default (which reads the municipalities as the code, not this migration, has them).
        default=civic.tenancy.current_id if final else None,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="civic.municipality",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0012_municipality_scope"),
        ("social", "0008_inbox_hide_site_official"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="crisisstop", name="social_one_active_crisis_stop"),
        migrations.AddField(model_name="channel", name="municipality", field=_field("channels", True)),
        migrations.AddField(model_name="crisisstop", name="municipality", field=_field("+", True)),
        migrations.RunPython(into_first_municipality, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="channel", name="municipality", field=_field("channels", False)
        ),
        migrations.AlterField(
            model_name="channel", name="municipality", field=_field("channels", False, final=True)
        ),
        migrations.AlterField(model_name="crisisstop", name="municipality", field=_field("+", False)),
        migrations.AlterField(model_name="crisisstop", name="municipality", field=_field("+", False, final=True)),
        migrations.AddConstraint(
            model_name="crisisstop",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)),
                fields=("municipality", "active"),
                name="social_one_active_crisis_stop_per_municipality",
            ),
        ),
    ]
