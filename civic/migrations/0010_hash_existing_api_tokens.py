"""Keys of rest_framework.authtoken (stored as they are) become hashed tokens, so clients that
hold one keep working; the plain keys are then deleted.

The authtoken app is no longer installed, so its table is read with SQL where it exists (a
database made before this release); a new database has none and nothing happens.
"""

import hashlib

from django.db import migrations

OLD_TABLE = "authtoken_token"


def hash_old_keys(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("civic", "ApiToken")
    quoted = connection.ops.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {quoted}")  # noqa: S608
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if ApiToken.objects.filter(digest=digest).exists():
            continue
        token = ApiToken.objects.create(
            owner_id=user_id, name="API token", digest=digest, prefix=key[:8]
        )
        # auto_now_add set the migration's time; keep when the key was really made.
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("civic", "0009_api_tokens_and_municipality_settings")]

    operations = [migrations.RunPython(hash_old_keys, migrations.RunPython.noop)]
