"""Each municipality writes its own public pages; the ones written so far are the first's."""

import django.db.models.deletion
from django.db import migrations, models

import civic.tenancy


def into_first_municipality(apps, schema_editor):
    first = apps.get_model("civic", "Municipality").objects.order_by("pk").first()
    if first is not None:
        apps.get_model("civic", "LegalPage").objects.update(municipality=first)


def _field(null, final=False):
    return models.ForeignKey(
        null=null,
        # Not null and without a default first: the schema editor then fills nothing by calling
        # the default (which reads the municipalities as the code, not this migration, has them).
        default=civic.tenancy.current_id if final else None,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="civic.municipality",
        verbose_name="municipality",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0012_municipality_scope"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="legalpage", name="legal_page_once_per_language"),
        migrations.AddField(model_name="legalpage", name="municipality", field=_field(True)),
        migrations.RunPython(into_first_municipality, migrations.RunPython.noop),
        migrations.AlterField(model_name="legalpage", name="municipality", field=_field(False)),
        migrations.AlterField(model_name="legalpage", name="municipality", field=_field(False, final=True)),
        migrations.AddConstraint(
            model_name="legalpage",
            constraint=models.UniqueConstraint(
                fields=("municipality", "kind", "language"),
                name="legal_page_once_per_language_and_municipality",
            ),
        ),
    ]
