"""Mark comments a moderator edited before the mark existed, from the moderation log.

Until now a moderator's edit also set edited_at, which the page shows as the author's own
edit. Where the last edit was the moderator's, edited_at goes back to the author's last edit
(or to none): a revision saved in the same moment as a logged moderator edit is the moderator's.
"""

from datetime import timedelta

from django.db import migrations

# A moderator's revision, edited_at and log entry are written in one transaction.
SAME_EDIT = timedelta(seconds=5)


def mark_moderator_edits(apps, schema_editor):
    AuditEntry = apps.get_model("civic", "AuditEntry")
    Comment = apps.get_model("debate", "Comment")
    CommentRevision = apps.get_model("debate", "CommentRevision")
    edits: dict[int, list] = {}
    for object_id, created_at in AuditEntry.objects.filter(
        action="moderation.edit",
        content_type__app_label="debate",
        content_type__model="comment",
    ).values_list("object_id", "created_at"):
        if object_id.isdigit():
            edits.setdefault(int(object_id), []).append(created_at)
    revisions: dict[int, list] = {}
    for comment_id, created_at in CommentRevision.objects.filter(comment_id__in=edits).values_list(
        "comment_id", "created_at"
    ):
        revisions.setdefault(comment_id, []).append(created_at)

    def by_moderator(moment, logged) -> bool:
        return any(abs(entry - moment) <= SAME_EDIT for entry in logged)

    for comment in Comment.objects.filter(pk__in=edits, moderator_edited_at__isnull=True):
        logged = edits[comment.pk]
        comment.moderator_edited_at = max(logged)
        if comment.edited_at and by_moderator(comment.edited_at, logged):
            own = [r for r in revisions.get(comment.pk, []) if not by_moderator(r, logged)]
            comment.edited_at = max(own) if own else None
        comment.save(update_fields=["moderator_edited_at", "edited_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("civic", "0002_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("debate", "0005_comment_moderator_edited_at"),
    ]

    operations = [
        migrations.RunPython(mark_moderator_edits, migrations.RunPython.noop),
    ]
