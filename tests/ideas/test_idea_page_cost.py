"""The idea page on a cache miss: its rows in one statement on PostgreSQL, no comment queries
for an idea without threads, and a shell kept per worker for anonymous visitors, with the same
HTML as the page rendered whole and nothing of one person's shown to another."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civic import kept
from debate import services as debate_services
from debate.models import CommentPublication
from ideas import selectors
from ideas.models import IdeaImage, IdeaRevision, IdeaStatus, StatusChange
from tests.debate.factories import CommentFactory
from tests.factories import CategoryFactory, ConsultationFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _built(settings):
    # The page cache would answer from its copy; what is measured here is the page built.
    settings.PAGE_CACHE_SECONDS = 0


def _idea_with_rows(consultation, photos: int, changes: int):
    planner = UserFactory(display_name="Planner Pia")
    idea = IdeaFactory(
        consultation=consultation,
        category=CategoryFactory(consultation=consultation),
        status=IdeaStatus.UNDER_REVIEW,
        answer="We look at *this*.",
        answered_by=planner,
        answered_at=timezone.now(),
    )
    for position in range(photos):
        IdeaImage.objects.create(
            idea=idea,
            image=f"ideas/{consultation.pk}/{idea.pk}/photo{position}.jpg",
            alt_text=f"Photo {position} of the pier",
            position=position,
            is_pending=position == 1,
            is_redacted=position == 2,
        )
    for _ in range(changes):
        StatusChange.objects.create(
            idea=idea,
            old_status=IdeaStatus.SUBMITTED,
            new_status=IdeaStatus.UNDER_REVIEW,
            changed_by=planner,
        )
    IdeaRevision.of(idea, edited_by=idea.author).save()
    return idea


def _page(client, idea, language="en", query=""):
    response = client.get(f"{idea.get_absolute_url()}{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_kept_shell_gives_the_page_rendered_whole(settings, language):
    consultation = ConsultationFactory()
    ideas = [
        _idea_with_rows(consultation, photos=3, changes=2),
        IdeaFactory(consultation=consultation),
    ]
    for idea in ideas:
        for query in ("", "?sort=new&q=%3Cscript%3E"):
            settings.PAGE_PARTS_SECONDS = 0
            whole = _page(Client(), idea, language, query)
            settings.PAGE_PARTS_SECONDS = 60
            first = _page(Client(), idea, language, query)
            again = _page(Client(), idea, language, query)
            assert first == whole
            assert again == whole
            assert any(key[0].startswith("shell:") for key in kept._kept)
    assert "Photo 0 of the pier" in whole or idea is ideas[1]
    # The language switcher sends the visitor back to this page, escaped, with its query.
    assert 'name="next" type="hidden" value="/ideas/' in whole


@pytest.mark.skipif(not POSTGRES, reason="the one-statement read is PostgreSQL's")
def test_one_statement_reads_what_separate_queries_read():
    idea = _idea_with_rows(ConsultationFactory(), photos=4, changes=3)
    anonymous = Client()
    read = selectors.idea_for_viewer(reference=idea.reference, viewer=UserFactory())
    images, changes, revisions = selectors.idea_page_rows(read)
    fresh = type(idea).objects.get(pk=idea.pk)
    assert [(i.pk, i.image.name, i.alt_text, i.is_pending, i.is_redacted) for i in images] == [
        (i.pk, i.image.name, i.alt_text, i.is_pending, i.is_redacted) for i in fresh.images.all()
    ]
    assert [(c.pk, c.created_at, c.new_status) for c in changes] == [
        (c.pk, c.created_at, c.new_status) for c in fresh.status_changes.all()
    ]
    assert revisions == 1
    assert [p.pk for p in read.consultation.phases.all()] == [
        p.pk for p in fresh.consultation.phases.all()
    ]
    assert _page(anonymous, idea)


@pytest.mark.parametrize("signed_in", [False, True])
def test_idea_page_queries_do_not_grow_with_photos_and_history(signed_in):
    consultation = ConsultationFactory()
    few = _idea_with_rows(consultation, photos=2, changes=2)
    many = _idea_with_rows(consultation, photos=20, changes=20)
    client = Client()
    if signed_in:
        client.force_login(UserFactory())
    counts = []
    for idea in (few, many):
        _page(client, idea)
        with CaptureQueriesContext(connection) as queries:
            _page(client, idea)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    if POSTGRES and not signed_in:
        assert counts[0] == 1  # the idea with everything its page shows


def test_an_idea_without_threads_asks_nothing_about_comments():
    idea = IdeaFactory(consultation=ConsultationFactory())
    client = Client()
    _page(client, idea)
    with CaptureQueriesContext(connection) as queries:
        html = _page(client, idea)
    assert not [q for q in queries if "debate_comment" in q["sql"]]
    assert "No comments yet" in html


def test_a_deleted_comment_keeps_its_place_in_the_thread():
    """comment_count leaves out deleted comments; the thread still shows where one was."""
    idea = IdeaFactory(consultation=ConsultationFactory())
    author = UserFactory()
    comment = debate_services.comment_create(author=author, target=idea, body="A first thought.")
    idea.refresh_from_db()
    assert idea.has_threads and idea.comment_count == 1
    debate_services.comment_delete(actor=author, comment=comment)
    idea.refresh_from_db()
    assert idea.comment_count == 0
    assert idea.has_threads
    html = _page(Client(), idea)
    assert f'id="comment-{comment.pk}"' in html
    assert "No comments yet" not in html


def test_the_factory_marks_the_idea_as_the_services_do():
    idea = IdeaFactory(consultation=ConsultationFactory())
    CommentFactory(topic=None, idea=idea, publication=CommentPublication.PENDING_MODERATION)
    idea.refresh_from_db()
    assert not idea.has_threads
    comment = CommentFactory(topic=None, idea=idea)
    idea.refresh_from_db()
    assert idea.has_threads
    assert f'id="comment-{comment.pk}"' in _page(Client(), idea)


def _supports(client, idea):
    return client.post(f"/ideas/{idea.reference}/support/")


@pytest.mark.parametrize("language", ["en", "da"])
def test_two_people_one_after_the_other_see_only_their_own_parts(settings, language):
    settings.PAGE_PARTS_SECONDS = 60
    idea = IdeaFactory(consultation=ConsultationFactory())
    anna, bo = UserFactory(display_name="Anna"), UserFactory(display_name="Bo")
    first, second = Client(), Client()
    first.force_login(anna)
    second.force_login(bo)
    assert _supports(first, idea).status_code == 302
    _page(Client(), idea, language)  # an anonymous visit first keeps the shell
    pages = {
        name: _page(client, idea, language) for name, client in [("anna", first), ("bo", second)]
    }
    withdraw = {"en": "Withdraw my support", "da": "Træk min støtte tilbage"}[language]
    assert withdraw in pages["anna"]
    assert withdraw not in pages["bo"]
    tokens = {
        name: set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        for name, page in pages.items()
    }
    assert tokens["anna"] and tokens["bo"] and not tokens["anna"] & tokens["bo"]
    anonymous = _page(Client(), idea, language)
    assert "csrfmiddlewaretoken" not in anonymous
    assert withdraw not in anonymous
    assert "/accounts/logout/" not in anonymous


def test_a_change_to_the_consultation_replaces_the_kept_shell(settings):
    from civic.changes import Change, changed

    settings.PAGE_PARTS_SECONDS = 60
    consultation = ConsultationFactory(title="Harbour baths")
    idea = IdeaFactory(consultation=consultation)
    assert "Harbour baths" in _page(Client(), idea)
    consultation.title = "Harbour baths and piers"
    consultation.save()
    changed(consultation.pk, Change.CONSULTATION)
    assert "Harbour baths and piers" in _page(Client(), idea)


def test_a_form_token_is_never_kept(rf):
    html = kept.kept_part(
        _request(rf), 1, "with-token", lambda: '<input name="csrfmiddlewaretoken" value="x">'
    )
    assert "csrfmiddlewaretoken" in html
    assert not [key for key in kept._kept if key[0] == "with-token"]


def _request(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    return request
