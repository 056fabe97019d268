"""The one map of change (civic.changes): one test per row of its table.

Each change is made through its service, as a person would make it, with the caches on as in
production. A change that clears pages shows on the next anonymous page view; supports, comment
votes and poll answers leave the cached page alone and show once it is PAGE_CACHE_SECONDS old.
"""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civic import changes, pagecache
from civic.changes import CLEARS, Cache, Change
from civic.forms import ProfileForm
from consultations import selectors as consultation_selectors
from consultations import services as consultation_services
from debate import services as debate_services
from ideas import services as idea_services
from moderation import services as moderation
from social import services as social_services
from social.models import Channel, ImportedComment, PostState, SocialPost
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["civic", "consultations", "ideas", "debate", "maps", "moderation", "reports", "social"]
TESTED_ROWS: set[Change] = set()


def row(change: Change):
    """Mark a test as the proof of one row of the table."""
    TESTED_ROWS.add(change)
    return lambda test: test


def anonymous(url: str):
    response = Client().get(url)
    assert response.status_code == 200, url
    return response, response.content.decode()


def is_hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def cached(url: str) -> str:
    """View the page twice: the second view comes from the cache."""
    anonymous(url)
    response, page = anonymous(url)
    assert is_hit(response)
    return page


def aged(url: str) -> None:
    """Make the stored copy of `url` older than PAGE_CACHE_SECONDS (the clock moves on)."""
    from django.test import RequestFactory
    from django.utils import translation

    with translation.override("en"):
        key = pagecache._page_key(RequestFactory().get(url))
    entry = pagecache.cache.get(key)
    entry["fresh_until"] = 0
    pagecache.cache.set(key, entry)
    pagecache.forget_checked()


@pytest.fixture
def hub(consultation):
    return consultation.get_absolute_url()


@pytest.fixture
def idea(consultation):
    return factories.IdeaFactory(consultation=consultation, title="A bench by the water")


# --- Changes that clear pages -------------------------------------------------------------------
@row(Change.CONSULTATION)
def test_a_new_title_shows_on_the_hub_at_once(hub, consultation, administrator):
    cached(hub)
    consultation_services.consultation_update(
        actor=administrator, consultation=consultation, data={"title": "Harbour baths 2027"}
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "Harbour baths 2027" in page


@row(Change.CONSULTATION)
def test_a_new_address_leads_to_the_consultation_and_the_old_one_nowhere(
    hub, consultation, administrator
):
    cached(hub)
    consultation_services.consultation_update(
        actor=administrator, consultation=consultation, data={"slug": "harbour-baths"}
    )
    assert consultation_selectors.consultation_id_for_slug("harbour-baths") == consultation.pk
    assert Client().get("/harbour-baths/").status_code == 200
    assert Client().get(hub).status_code in (301, 302, 404)


def _phase_rows(consultation, **changes):
    phase = consultation.phases.get()
    row = {
        "id": phase.pk,
        "kind": phase.kind,
        "name": phase.name,
        "starts_at": phase.starts_at,
        "ends_at": phase.ends_at,
        "allows_ideas": phase.allows_ideas,
        "allows_support": phase.allows_support,
        "allows_comments": phase.allows_comments,
        "allows_poll": phase.allows_poll,
    }
    row.update(changes)
    return [row]


@row(Change.PHASE)
def test_a_changed_phase_shows_at_once_and_the_rules_follow_it(
    hub, consultation, administrator, idea, resident
):
    cached(hub)
    consultation_selectors.consultation_for_rules(consultation.pk)  # this worker's copy
    consultation_services.consultation_update(
        actor=administrator,
        consultation=consultation,
        data={},
        phases=_phase_rows(consultation, name="Harbour walk week", allows_support=False),
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "Harbour walk week" in page
    with pytest.raises(Exception, match="(?i)support"):
        idea_services.idea_support(user=resident, idea=idea)


@row(Change.CATEGORY)
def test_a_new_category_shows_on_the_idea_list_at_once(consultation, administrator):
    url = reverse("ideas:list", kwargs={"slug": consultation.slug})
    cached(url)
    consultation_services.consultation_update(
        actor=administrator,
        consultation=consultation,
        data={},
        categories=[{"name": "Green harbour", "colour": "#1b7837"}],
    )
    response, page = anonymous(url)
    assert not is_hit(response) and "Green harbour" in page


@row(Change.TOPIC)
def test_a_new_topic_shows_on_the_hub_at_once(hub, consultation, planner):
    consultation.planners.add(planner)
    cached(hub)
    debate_services.topic_create(
        actor=planner, consultation=consultation, title="Does the centre need a tunnel?"
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "Does the centre need a tunnel?" in page


@row(Change.MAP_LAYERS)
def test_a_new_plan_layer_shows_on_the_hub_at_once(hub, consultation, planner, tmp_path):
    from tests.maps import plan_files

    consultation.planners.add(planner)
    cached(hub)
    consultation_services.plan_layer_upload(
        actor=planner,
        consultation=consultation,
        upload=plan_files.upload(plan_files.entrances_kml(tmp_path)),
        data={"name": "Tunnel portals", "colour": "#1a4f8b"},
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "Tunnel portals" in page and "North portal" in page


@row(Change.MAP_SURVEY)
def test_a_new_map_question_and_its_answers_show_on_the_hub_at_once(planner):
    from consultations import survey
    from consultations.models import Consultation

    consultation = factories.ConsultationFactory(kind=Consultation.Kind.MAP_SURVEY)
    consultation.planners.add(planner)
    hub = consultation.get_absolute_url()
    cached(hub)
    question = survey.map_question_create(
        actor=planner,
        consultation=consultation,
        data={"prompt": "Your way to school", "kind": "point"},
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "Your way to school" in page and "0 answers" in page
    cached(hub)
    survey.drawn_answer_submit(
        author=factories.UserFactory(),
        question=question,
        geometry={"type": "Point", "coordinates": list(factories.INSIDE)},
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "1 answer" in page


@row(Change.IDEA)
def test_a_new_idea_shows_on_the_list_at_once(consultation, resident):
    url = reverse("ideas:list", kwargs={"slug": consultation.slug})
    cached(url)
    idea_services.idea_submit(
        author=resident,
        consultation=consultation,
        title="Kayak rental at the quay",
        description="Rent a kayak by the hour.",
        latitude=factories.INSIDE[1],
        longitude=factories.INSIDE[0],
    )
    response, page = anonymous(url)
    assert not is_hit(response) and "Kayak rental at the quay" in page


@row(Change.IDEA_STATUS)
def test_an_official_answer_shows_on_the_idea_page_at_once(idea, planner):
    idea.consultation.planners.add(planner)
    url = idea.get_absolute_url()
    cached(url)
    idea_services.idea_answer(
        user=planner, idea=idea, status="under_review", answer="We are measuring the quay."
    )
    response, page = anonymous(url)
    assert not is_hit(response) and "We are measuring the quay." in page


@row(Change.COMMENT)
def test_a_new_comment_shows_on_the_idea_page_at_once(idea, resident):
    url = idea.get_absolute_url()
    cached(url)
    debate_services.comment_create(author=resident, target=idea, body="Yes, with shade please.")
    response, page = anonymous(url)
    assert not is_hit(response) and "Yes, with shade please." in page


@row(Change.MODERATION)
def test_a_hidden_idea_leaves_the_pages_at_once(consultation, idea, planner):
    url = reverse("ideas:list", kwargs={"slug": consultation.slug})
    assert "A bench by the water" in cached(url)
    moderation.item_hide(actor=planner, target=idea, public_reason="personal_data")
    response, page = anonymous(url)
    assert not is_hit(response) and "A bench by the water" not in page
    assert Client().get(idea.get_absolute_url()).status_code == 404


@row(Change.PUBLIC_NAME)
def test_a_changed_shown_name_replaces_the_pages_of_every_consultation(consultation):
    author = factories.UserFactory(display_name="Kim", show_name_publicly=True)
    ideas = [
        factories.IdeaFactory(consultation=c, author=author, title=f"Idea in {c.slug}")
        for c in (consultation, factories.ConsultationFactory())
    ]
    for idea in ideas:
        assert "Kim" in cached(idea.get_absolute_url())
    form = ProfileForm(
        data={
            "display_name": "Kim Larsen",
            "show_name_publicly": "on",
            "notification_frequency": author.notification_frequency,
        },
        instance=author,
    )
    assert form.is_valid(), form.errors
    form.save()
    for idea in ideas:
        assert "Kim Larsen" in anonymous(idea.get_absolute_url())[1]


@row(Change.BRANDING)
def test_a_new_municipality_name_replaces_the_pages_of_every_consultation(
    consultation, administrator
):
    from civic import services as civic_services

    urls = [consultation.get_absolute_url(), factories.ConsultationFactory().get_absolute_url()]
    for url in urls:
        assert "Harbourtown Municipality" not in cached(url)
    civic_services.municipality_settings_save(
        actor=administrator, values={"name": "Harbourtown Municipality"}
    )
    for url in urls:
        response, page = anonymous(url)
        assert not is_hit(response) and "Harbourtown Municipality" in page


@row(Change.SOCIAL_POST)
def test_a_hidden_imported_comment_leaves_the_hub_at_once(hub, consultation, planner):
    consultation.planners.add(planner)
    channel = Channel.objects.create(platform="mastodon", name="@town@social.example")
    post = SocialPost.objects.create(
        channel=channel,
        consultation=consultation,
        text="Published",
        state=PostState.PUBLISHED,
        remote_id="1",
        remote_url="https://social.example/@town/1",
        published_at=timezone.now(),
    )
    comment = ImportedComment.objects.create(
        post=post, platform="mastodon", remote_id="c1", author_name="Ida", text="Skjult tekst"
    )
    assert "Skjult tekst" in cached(hub)
    social_services.imported_comment_hide(
        actor=planner, comment=comment, hidden=True, reason="spam"
    )
    response, page = anonymous(hub)
    assert not is_hit(response) and "Skjult tekst" not in page


@row(Change.FIGURES)
def test_key_figures_counted_again_and_moved_replace_the_hub(hub, consultation, idea):
    from debate import figures
    from debate.models import ConsultationFigures

    assert "<strong>1</strong> idea<" in cached(hub)
    ConsultationFigures.objects.filter(pk=consultation.pk).update(ideas=7)  # counted long ago
    figures.recount(consultation.pk, announce=True)
    response, page = anonymous(hub)
    assert not is_hit(response) and "<strong>1</strong> idea<" in page


# --- The deliberate exceptions: counts within PAGE_CACHE_SECONDS ---------------------------------
@row(Change.SUPPORT)
def test_a_support_leaves_the_page_cached_and_shows_once_it_is_aged(idea, resident):
    url = idea.get_absolute_url()
    assert "0 supports" in cached(url)
    idea_services.idea_support(user=resident, idea=idea)
    response, page = anonymous(url)
    assert is_hit(response) and "0 supports" in page
    aged(url)
    response, page = anonymous(url)
    assert not is_hit(response) and "1 support<" in page


@row(Change.COMMENT_VOTE)
def test_a_comment_vote_does_not_clear_the_pages(idea, resident):
    comment = debate_services.comment_create(
        author=factories.UserFactory(), target=idea, body="Shade please"
    )
    url = idea.get_absolute_url()
    cached(url)
    version = pagecache._versions(idea.consultation_id)
    debate_services.comment_vote(user=resident, comment=comment, value=1)
    assert pagecache._versions(idea.consultation_id) == version
    assert is_hit(anonymous(url)[0])


@row(Change.POLL_ANSWER)
def test_a_poll_answer_does_not_clear_the_pages(hub, consultation, resident):
    topic = factories.TopicFactory(consultation=consultation, poll_question="Tunnel?")
    option = factories.PollOptionFactory(topic=topic, label="Yes")
    cached(hub)
    version = pagecache._versions(consultation.pk)
    debate_services.poll_answer(user=resident, topic=topic, option_ids=[option.pk])
    assert pagecache._versions(consultation.pk) == version
    assert is_hit(anonymous(hub)[0])


# --- The table itself --------------------------------------------------------------------------
def test_every_row_of_the_table_has_a_test():
    assert set(CLEARS) == set(Change)
    assert set(Change) == TESTED_ROWS


def test_every_cache_in_the_table_has_a_way_to_forget():
    for cache in Cache:
        assert changes._forgetters[cache], cache


def test_a_change_inside_a_transaction_that_fails_clears_nothing(hub, consultation, administrator):
    from django.db import transaction

    cached(hub)
    with pytest.raises(RuntimeError), transaction.atomic():
        changes.changed(consultation.pk, Change.CONSULTATION)
        raise RuntimeError
    assert is_hit(anonymous(hub)[0])


def test_the_rules_copy_is_kept_through_supports_and_votes(consultation, idea, resident):
    first = consultation_selectors.consultation_for_rules(consultation.pk)
    idea_services.idea_support(user=resident, idea=idea)
    kept = consultation_selectors._for_rules[consultation.pk]
    assert kept[2].pk == first.pk
    assert consultation_selectors.consultation_for_rules(consultation.pk) is not None
    assert consultation_selectors._for_rules[consultation.pk] is kept


def test_no_app_listens_to_model_signals_or_sends_them_by_hand():
    banned = re.compile(r"pagecache\.follow|\bpost_(save|delete)\b")
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found = banned.search(path.read_text())
            assert found is None, f"{path.relative_to(ROOT)} uses {found.group()}"


def test_changes_module_imports_no_app():
    tree = ast.parse((ROOT / "civic" / "changes.py").read_text())
    imported = {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & (set(APPS) - {"civic"})


def test_page_cache_is_on_in_the_suite_as_in_production():
    assert settings.PAGE_CACHE_SECONDS > 0
    assert settings.CONSULTATION_RULES_SECONDS > 0
    assert timedelta(seconds=settings.PAGE_CACHE_SECONDS) <= timedelta(minutes=5)
