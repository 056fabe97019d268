"""Every string of the foundation (civic/ and frontend/) is translated into Danish and Norwegian."""

import ast
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def _entries(path: Path):
    """(msgid, msgstr, flags) for each message of a .po file, the header left out."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, flags, current = {}, "", None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            elif not line.startswith("#") and " " in line:
                current, value = line.split(" ", 1)
                fields[current] = ast.literal_eval(value)
        if fields.get("msgid"):
            yield fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", "")), flags


@pytest.mark.parametrize("language", ["da", "nb"])
@pytest.mark.parametrize("app", ["civic", "frontend"])
def test_catalogue_is_complete(app, language):
    path = ROOT / app / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = list(_entries(path))
    assert entries
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"{path.relative_to(ROOT)}: translate {untranslated}"
    assert not fuzzy, f"{path.relative_to(ROOT)}: check and unmark {fuzzy}"


@override_settings(USE_I18N=True)
@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "Tilbage til høringerne"), ("nb", "Tilbake til høringene")],
)
def test_compiled_catalogue_is_used(language, expected):
    with translation.override(language):
        assert translation.gettext("Back to the consultations") == expected
