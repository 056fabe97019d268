"""The product runs without the development kit: no app imports `devsite` (the demo and the
platform stand-ins), which the production image leaves out (.dockerignore)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "civic",
    "consultations",
    "ideas",
    "debate",
    "maps",
    "moderation",
    "reports",
    "social",
    "frontend",
)


def test_no_app_imports_the_development_kit():
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"^\s*(from|import) devsite", path.read_text(), re.M)
    ]
    assert not offenders


def test_the_image_leaves_it_out():
    assert "devsite" in (ROOT / ".dockerignore").read_text().split()
    assert not (ROOT / "social" / "fakes").exists()
