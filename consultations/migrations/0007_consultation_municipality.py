"""Every consultation belongs to a municipality: the existing ones to the first (civic 0011)."""

import django.db.models.deletion
from django.db import migrations, models

import civic.tenancy


def into_first_municipality(apps, schema_editor):
    Municipality = apps.get_model("civic", "Municipality")
    Consultation = apps.get_model("consultations", "Consultation")
    first = Municipality.objects.order_by("pk").first()
    if first is not None:
        Consultation.objects.filter(municipality__isnull=True).update(municipality=first)


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0011_municipalities"),
        ("consultations", "0006_map_survey"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="municipality",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultations",
                to="civic.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.RunPython(into_first_municipality, migrations.RunPython.noop),
        # Not null and without a default first: the schema editor then fills nothing by calling
        # the default (which reads the municipalities as the code, not this migration, has them).
        migrations.AlterField(
            model_name="consultation",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultations",
                to="civic.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="consultation",
            name="municipality",
            field=models.ForeignKey(
                default=civic.tenancy.current_id,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultations",
                to="civic.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="consultation",
            name="slug",
            field=models.SlugField(max_length=80, verbose_name="address name"),
        ),
        migrations.AddConstraint(
            model_name="consultation",
            constraint=models.UniqueConstraint(
                fields=("municipality", "slug"), name="consultation_slug_once_per_municipality"
            ),
        ),
    ]
