"""Audit entries written before residents were labelled by pseudonym named them by e-mail."""

from django.db import migrations


def relabel_residents(apps, schema_editor):
    AuditEntry = apps.get_model("civic", "AuditEntry")
    entries = AuditEntry.objects.filter(actor__role="resident").select_related("actor")
    for entry in entries.iterator(chunk_size=2000):
        if entry.actor.is_deleted:
            continue
        entry.actor_label = f"resident {entry.actor.pseudonym_code}"
        entry.save(update_fields=["actor_label"])


class Migration(migrations.Migration):
    dependencies = [("civic", "0004_staff_flags_follow_role")]

    operations = [migrations.RunPython(relabel_residents, migrations.RunPython.noop)]
