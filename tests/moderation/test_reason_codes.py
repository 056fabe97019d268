"""Hidden reasons are stored as codes and rendered in each reader's language."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from civic.reasons import PublicReason
from debate.services import comment_create
from ideas.models import Idea
from moderation import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(consultation):
    return factories.IdeaFactory(consultation=consultation, title="A bench by the water")


def _reported_by_three_in(language, idea, settings):
    settings.AUTO_HIDE_REPORT_THRESHOLD = 3
    with translation.override(language):
        for _ in range(3):
            services.report_create(reporter=factories.UserFactory(), target=idea, reason="spam")
    idea.refresh_from_db()
    assert idea.is_hidden and idea.hidden_reason == PublicReason.AWAITING_DECISION


@pytest.mark.parametrize(("reporters", "planner_language"), [("da", "en"), ("en", "nb")])
def test_a_planner_in_another_language_keeps_an_auto_hidden_idea(
    idea, planner, settings, reporters, planner_language
):
    idea.consultation.planners.add(planner)
    _reported_by_three_in(reporters, idea, settings)
    with translation.override(planner_language):
        services.item_keep(actor=planner, target=idea)
    idea.refresh_from_db()
    assert not idea.is_hidden and idea.hidden_reason == ""


def test_a_hidden_comment_shows_its_reason_in_the_readers_language(idea, planner, resident):
    idea.consultation.planners.add(planner)
    comment = comment_create(author=resident, target=idea, body="Call me on 12345678")
    with translation.override("da"):
        services.item_hide(actor=planner, target=comment, public_reason="personal_data")
    comment.refresh_from_db()
    assert comment.hidden_reason == "personal_data"
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(idea.get_absolute_url()).content.decode()
    norwegian = Client(HTTP_ACCEPT_LANGUAGE="nb").get(idea.get_absolute_url()).content.decode()
    assert "personal data" in english and "personopplysninger" not in english
    assert "personopplysninger" in norwegian


def test_the_api_gives_the_code_and_the_label(idea, planner, resident):
    idea.consultation.planners.add(planner)
    comment = comment_create(author=resident, target=idea, body="Buy cheap watches")
    services.item_hide(actor=planner, target=comment, public_reason="spam")
    answer = Client(HTTP_ACCEPT_LANGUAGE="da").get(f"/api/v1/ideas/{idea.pk}/comments/").json()
    rows = answer["results"] if isinstance(answer, dict) else answer
    found = [row for row in rows if row["id"] == comment.pk][0]
    assert found["hidden_reason_code"] == "spam"
    assert found["hidden_reason"] != "spam" and found["hidden_reason"]


def test_labels_stored_before_are_turned_into_codes(idea):
    with translation.override("da"):
        danish = str(PublicReason.PERSONAL_DATA.label)
    Idea.objects.filter(pk=idea.pk).update(is_hidden=True, hidden_reason=danish)
    migration = importlib.import_module("ideas.migrations.0008_hidden_reason_codes")
    migration.labels_to_codes(apps, None)
    idea.refresh_from_db()
    assert idea.hidden_reason == "personal_data"
