"""Each municipality shows pseudonyms of its own (civic.pseudonyms), except the first, which
keeps showing the ones it has already published."""

import secrets

from django.db import migrations, models

import civic.models


def give_keys(apps, schema_editor):
    Municipality = apps.get_model("civic", "Municipality")
    first = Municipality.objects.order_by("pk").values_list("pk", flat=True).first()
    for municipality in Municipality.objects.exclude(pk=first):
        municipality.pseudonym_key = secrets.token_urlsafe(24)
        municipality.save(update_fields=["pseudonym_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0015_municipality_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="pseudonym_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=43),
        ),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="municipality",
            name="pseudonym_key",
            field=models.CharField(
                blank=True, default=civic.models.new_pseudonym_key, editable=False, max_length=43
            ),
        ),
    ]
