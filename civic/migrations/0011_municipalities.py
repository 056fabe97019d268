"""Many municipalities on one installation.

The back office's municipality settings become the first municipality (or, without a row, one is
made from the environment: MUNICIPALITY_SLUG, MUNICIPALITY_NAME, LANGUAGE_CODE); every role held
becomes a role in it (Membership), and consultations move into it (consultations 0007).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def first_municipality(apps, schema_editor):
    Municipality = apps.get_model("civic", "Municipality")
    Membership = apps.get_model("civic", "Membership")
    User = apps.get_model("civic", "User")
    municipality = Municipality.objects.order_by("pk").first()
    if municipality is None:
        municipality = Municipality(language=settings.LANGUAGE_CODE)
    municipality.slug = municipality.slug or settings.MUNICIPALITY_SLUG
    # The name every page showed stays the name, stored now rather than read from the environment.
    municipality.name = municipality.name or settings.MUNICIPALITY_NAME
    # The language the installation was set up in (LANGUAGE_CODE).
    municipality.language = settings.LANGUAGE_CODE
    municipality.save()
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=pk, municipality_id=municipality.pk, role=role, limited_to_assigned=limited
            )
            for pk, role, limited in User.objects.exclude(role="resident").values_list(
                "pk", "role", "limited_to_assigned"
            )
        ],
        batch_size=1000,
    )


def roles_back(apps, schema_editor):
    Membership = apps.get_model("civic", "Membership")
    User = apps.get_model("civic", "User")
    first = Membership.objects.order_by("municipality_id").values_list("municipality_id", flat=True)
    first = first.first()
    for membership in Membership.objects.filter(municipality_id=first):
        User.objects.filter(pk=membership.user_id).update(
            role=membership.role, limited_to_assigned=membership.limited_to_assigned
        )


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0010_hash_existing_api_tokens"),
    ]

    operations = [
        migrations.RenameModel("MunicipalitySettings", "Municipality"),
        migrations.AlterModelOptions(
            name="municipality",
            options={
                "ordering": ["name", "pk"],
                "verbose_name": "municipality",
                "verbose_name_plural": "municipalities",
            },
        ),
        migrations.AddField(
            model_name="municipality",
            name="slug",
            # Without an index until it is filled: the unique one comes with it (below).
            field=models.SlugField(
                db_index=False, max_length=40, null=True, verbose_name="short name"
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="language",
            field=models.CharField(
                choices=[("da", "Dansk"), ("nb", "Norsk bokmål"), ("en", "English")],
                default="da",
                help_text="The language of pages before a visitor picks one, and of what it publishes.",
                max_length=8,
                verbose_name="default language",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="contact address"),
        ),
        migrations.AddField(
            model_name="municipality",
            name="email_sender",
            field=models.CharField(
                blank=True,
                help_text="For example: Harstad kommune <noreply@harstad.kommune.no>. Empty: the installation's sender.",
                max_length=200,
                verbose_name="e-mail sender",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="geocoder_countries",
            field=models.CharField(
                blank=True,
                help_text="Two-letter country codes, comma-separated (for example: no). Empty: the installation's setting.",
                max_length=40,
                verbose_name="address search countries",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
        migrations.AddField(
            model_name="municipality",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, null=True),
        ),
        migrations.CreateModel(
            name="MunicipalityHost",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("host", models.CharField(max_length=253, unique=True, verbose_name="host name")),
                (
                    "is_primary",
                    models.BooleanField(
                        default=False,
                        help_text="The address links in e-mails and posts use.",
                        verbose_name="primary",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hosts",
                        to="civic.municipality",
                        verbose_name="municipality",
                    ),
                ),
            ],
            options={
                "ordering": ["-is_primary", "host"],
                "verbose_name": "host name",
                "verbose_name_plural": "host names",
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("resident", "Resident"),
                            ("planner", "Planner"),
                            ("councillor", "Councillor"),
                            ("administrator", "Administrator"),
                        ],
                        db_index=True,
                        default="resident",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "limited_to_assigned",
                    models.BooleanField(
                        default=False,
                        help_text="A planner with this set may only run the consultations they are assigned to.",
                        verbose_name="limited to assigned consultations",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="civic.municipality",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "membership",
                "verbose_name_plural": "memberships",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "municipality"), name="membership_once_per_municipality"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="user",
            name="is_operator",
            field=models.BooleanField(
                default=False,
                help_text="Creates municipalities and their first administrator. Sees no resident's data unless also given a role in that municipality.",
                verbose_name="platform operator",
            ),
        ),
        migrations.RunPython(first_municipality, roles_back),
        migrations.AlterField(
            model_name="municipality",
            name="slug",
            field=models.SlugField(
                help_text="Lower-case letters, digits and hyphens; also the development address <short name>.localhost.",
                max_length=40,
                unique=True,
                verbose_name="short name",
            ),
        ),
        migrations.RemoveField(model_name="user", name="limited_to_assigned"),
        migrations.RemoveField(model_name="user", name="role"),
    ]
