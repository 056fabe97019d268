import pytest
from django.conf import settings
from django.core.management import get_commands

from civic.tasks import PERIODIC_COMMANDS, run_periodic_command


def test_every_scheduled_command_exists():
    scheduled = {entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == PERIODIC_COMMANDS
    assert scheduled <= set(get_commands())


def test_task_refuses_other_commands():
    with pytest.raises(ValueError):
        run_periodic_command("flush")


def test_task_runs_a_command(db):
    # Runs eagerly without a broker, as on a laptop.
    run_periodic_command.delay("purge_unconfirmed_ideas")
