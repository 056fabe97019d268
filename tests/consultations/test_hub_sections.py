"""The hub gathers its sections from the apps that own them (consultations.hub)."""

from pathlib import Path

import pytest

from consultations import hub

ROOT = Path(__file__).resolve().parents[2]
HIGHER_APPS = ("ideas", "debate", "moderation", "reports", "social")


def test_each_app_registers_its_own_sections_in_page_order():
    names = [(section.slot, section.name) for section in hub.sections()]
    assert names == [
        ("map", "consultations.map_survey"),
        ("map", "ideas.map"),
        ("ideas", "ideas.panel"),
        ("figures", "debate.figures"),
        ("topics", "debate.topics"),
        ("figures", "reports.summary_link"),
        ("social", "social.also_discussed_on"),
    ]
    assert [s.name for s in hub.sections() if s.slot == "figures"] == [
        "debate.figures",
        "reports.summary_link",
    ]


def test_an_unknown_slot_is_refused():
    with pytest.raises(ValueError, match="unknown hub slot"):
        hub.register("sidebar", "x", lambda request, consultation: "")


def test_the_consultation_app_loads_no_higher_apps_tags_or_modules():
    for path in (ROOT / "consultations").rglob("*"):
        if path.suffix not in (".py", ".html") or "migrations" in path.parts:
            continue
        text = path.read_text()
        for app in HIGHER_APPS:
            assert f"{app}_tags" not in text, path
            assert f"from {app}" not in text and f"import {app}" not in text, path


@pytest.mark.django_db
def test_the_hub_shows_every_section(client, consultation):
    from tests import factories

    factories.TopicFactory(consultation=consultation, title="Tunnel talk")
    factories.IdeaFactory(consultation=consultation, title="A bench by the water")
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert 'class="figures"' in page  # debate
    assert 'id="ideas-heading"' in page and "A bench by the water" in page  # ideas
    assert "Tunnel talk" in page  # debate topics
    assert page.index('class="figures"') < page.index('id="ideas-heading"')
