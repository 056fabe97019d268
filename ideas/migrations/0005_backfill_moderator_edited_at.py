"""Mark ideas a moderator edited before the mark existed: the time of the last such edit."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def mark_moderator_edits(apps, schema_editor):
    Idea = apps.get_model("ideas", "Idea")
    IdeaRevision = apps.get_model("ideas", "IdeaRevision")
    last_edit = (
        IdeaRevision.objects.filter(idea=OuterRef("pk"), edited_by_moderator=True)
        .order_by()
        .values("idea")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    edited = IdeaRevision.objects.filter(edited_by_moderator=True).values("idea_id")
    Idea.objects.filter(moderator_edited_at__isnull=True, pk__in=edited).update(
        moderator_edited_at=Subquery(last_edit)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0004_idea_moderator_edited_at"),
    ]

    operations = [
        migrations.RunPython(mark_moderator_edits, migrations.RunPython.noop),
    ]
