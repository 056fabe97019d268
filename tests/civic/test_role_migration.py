"""Upgrading keeps every administrator's powers and takes away flags no role backs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("civic", "0003_lowercase_emails")]
AFTER = [("civic", "0004_staff_flags_follow_role")]


@pytest.fixture
def _back_to_the_latest_schema():
    """The tests after this one expect every migration applied, columns added later included."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_back_to_the_latest_schema")
def test_flags_follow_the_role_after_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_user = executor.loader.project_state(BEFORE).apps.get_model("civic", "User")

    def make(name, **fields):
        return old_user.objects.create(
            username=name, email=f"{name}@example.org", pseudonym_code=name[:6].upper(), **fields
        ).pk

    superuser = make("super", role="resident", is_superuser=True, is_staff=True)
    stray_staff = make("staff", role="planner", is_staff=True)
    admin = make("admin", role="administrator")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_user = executor.loader.project_state(AFTER).apps.get_model("civic", "User")
    rows = {row.pk: row for row in new_user.objects.all()}
    assert rows[superuser].role == "administrator"
    assert rows[superuser].is_staff and rows[superuser].is_superuser
    assert not rows[stray_staff].is_staff and rows[stray_staff].role == "planner"
    assert rows[admin].is_staff and rows[admin].is_superuser
