"""The audit log stores codes and shows labels: every code an app records has one."""

import re
from pathlib import Path

from django.utils import translation

from civic.audit_labels import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2]
APPS = ("civic", "consultations", "ideas", "debate", "moderation", "reports", "social")
LITERAL = re.compile(
    r'"((?:account|consultation|debate|idea|moderation|reports|site|social)\.[a-z_]+(?:\.[a-z_]+)?)"'
)
# Strings of that shape in the same files that are not actions (file names, lookups).
NOT_ACTIONS = {"consultation.json", "social.csv", "social.json"}
# Moderation records `moderation.<verb>` through its own `_record(actor, "<verb>", ...)`.
MODERATION_VERB = re.compile(r'_record\(\s*\w+,\s*"([a-z_]+)"')


def _recorded_codes() -> set[str]:
    codes = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "fakes" in path.parts:
                continue
            text = path.read_text()
            if "audit_record(" not in text and "_record(" not in text:
                continue
            codes |= set(LITERAL.findall(text)) - NOT_ACTIONS
            codes |= {f"moderation.{verb}" for verb in MODERATION_VERB.findall(text)}
    return codes


def test_every_recorded_action_has_a_label():
    codes = _recorded_codes()
    assert len(codes) > 30  # the scan finds the apps' codes
    assert codes <= set(ACTION_LABELS), sorted(codes - set(ACTION_LABELS))


def test_labels_are_translated():
    with translation.override("da"):
        assert action_label("idea.support") == "Idé støttet"
    with translation.override("nb"):
        assert action_label("moderation.hide") == "Skjult av en moderator"


def test_an_unknown_code_still_reads_as_words():
    assert action_label("maps.layer_uploaded") == "Maps: layer uploaded"
