"""Every string of the consultations app has a Danish and a Norwegian translation."""

import re
from pathlib import Path

import pytest

import consultations

LOCALE = Path(consultations.__file__).parent / "locale"


def _entries(path: Path):
    for block in path.read_text().split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            yield (
                "".join(re.findall(r'"(.*)"', msgid.group(1))),
                "".join(re.findall(r'"(.*)"', msgstr.group(1))),
                "#, fuzzy" in block,
            )


@pytest.mark.parametrize("language", ["da", "nb"])
def test_every_string_is_translated(language):
    entries = [e for e in _entries(LOCALE / language / "LC_MESSAGES" / "django.po") if e[0]]
    assert len(entries) > 150
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []
    for msgid, msgstr, _ in entries:
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", msgstr)
        ), msgid
