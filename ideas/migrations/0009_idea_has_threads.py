from django.db import migrations, models


def mark_ideas_with_threads(apps, schema_editor):
    """Every idea with a published comment (deleted and hidden ones included) has threads."""
    Comment = apps.get_model("debate", "Comment")
    Idea = apps.get_model("ideas", "Idea")
    threaded = Comment.objects.filter(idea__isnull=False, publication="published").values(
        "idea_id"
    )
    Idea.objects.filter(pk__in=threaded).update(has_threads=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0008_hidden_reason_codes"),
        ("debate", "0010_plan_anchor"),
    ]

    operations = [
        migrations.AddField(
            model_name="idea",
            name="has_threads",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_ideas_with_threads, migrations.RunPython.noop),
    ]
