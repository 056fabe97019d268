"""`make run` on a fresh clone and again: only what running needs is installed, a second start
neither reloads the demo nor recompiles what is current, and the console is quiet and English."""

import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from civic.models import User

ROOT = Path(__file__).resolve().parents[2]


def _target(name: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(rf"^{name}: (?!export)(.*)$", makefile, re.M).group(1)


def test_run_installs_only_what_running_needs():
    assert ".synced-run" in _target("run") and "$(VENV)/.synced " not in _target("run") + " "
    pyproject = (ROOT / "pyproject.toml").read_text()
    dev = re.search(r"^dev = \[(.*?)^\]", pyproject, re.M | re.S).group(1)
    assert "locust" not in dev and "py-spy" not in dev  # the bench group's


def test_translations_compile_one_catalogue_at_a_time_when_changed():
    makefile = (ROOT / "Makefile").read_text()
    assert "%.mo: %.po" in makefile and "compilemessages" not in _target("messages")


@pytest.mark.django_db
def test_a_second_load_with_if_needed_leaves_the_demo_alone():
    first = StringIO()
    call_command("load_demo", if_needed=True, stdout=first)
    assert "Demo accounts" in first.getvalue()
    admin = User.objects.get(email="admin@demo.borgerdialog.dk")
    second = StringIO()
    call_command("load_demo", if_needed=True, stdout=second)
    assert "already loaded" in second.getvalue() and "Demo accounts" not in second.getvalue()
    assert User.objects.get(pk=admin.pk).password == admin.password


@pytest.mark.django_db
def test_the_demo_console_is_english_whatever_the_sites_language(settings):
    settings.LANGUAGE_CODE = "da"
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Planner" in out.getvalue() and "Planlægger" not in out.getvalue()


def test_no_sqlite_warning_on_start():
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "W040" not in result.stdout + result.stderr
