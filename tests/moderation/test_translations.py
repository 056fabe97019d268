from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from tests.civic.test_translations import _entries

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", ["da", "nb"])
def test_catalogue_is_complete(language):
    path = ROOT / "moderation" / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = list(_entries(path))
    assert len(entries) > 200
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated and not fuzzy


@override_settings(USE_I18N=True)
@pytest.mark.parametrize(
    ("language", "reason", "wait"),
    [
        ("da", "personoplysninger", "Prøv igen om 2 minutter."),
        ("nb", "personopplysninger", "Prøv igjen om 2 minutter."),
    ],
)
def test_compiled_catalogue_is_used(language, reason, wait):
    from civic.ratelimit import message
    from moderation.models import PublicReason

    with translation.override(language):
        assert str(PublicReason.PERSONAL_DATA.label) == reason
        assert message(90).endswith(wait)
