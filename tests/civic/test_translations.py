"""Every string of every app is translated into Danish and Norwegian, each plural form too."""

import ast
import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "civic",
    "frontend",
    "consultations",
    "ideas",
    "debate",
    "maps",
    "moderation",
    "reports",
    "social",
]


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
            # A plural message counts as translated only when every form is.
            forms = [value for key, value in fields.items() if key.startswith("msgstr[")]
            msgstr = fields.get("msgstr", "") if not forms else ("" if not all(forms) else forms[0])
            yield fields["msgid"], msgstr, flags


@pytest.mark.parametrize("language", ["da", "nb"])
@pytest.mark.parametrize("app", APPS)
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


def test_no_message_counts_with_a_bracketed_plural():
    """ "item(s)" reads wrongly in every language; counts go through ngettext or blocktranslate
    count, which know each language's plural rule."""
    bracketed = re.compile(r"[A-Za-z]\(s\)")
    message = re.compile(r"gettext|_\(|translate")
    offenders = []
    for app in APPS:
        for path in [*(ROOT / app).rglob("*.py"), *(ROOT / app).rglob("*.html")]:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if message.search(line) and bracketed.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders


@override_settings(USE_I18N=True)
@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "Done for 1 item.", "Done for 2 items."),
        ("da", "Udført for 1 element.", "Udført for 2 elementer."),
        ("nb", "Utført for 1 element.", "Utført for 2 elementer."),
    ],
)
def test_plural_forms_follow_the_count(language, one, many):
    from django.utils.translation import ngettext

    with translation.override(language):
        assert ngettext("Done for %(n)s item.", "Done for %(n)s items.", 1) % {"n": 1} == one
        assert ngettext("Done for %(n)s item.", "Done for %(n)s items.", 2) % {"n": 2} == many
