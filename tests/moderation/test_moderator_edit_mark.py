"""A moderator's edit is marked on the public pages and in the API, apart from the author's own."""

import importlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from civic.audit import audit_record
from civic.models import AuditEntry
from debate import services as debate_services
from debate.models import Comment, CommentRevision
from ideas import services as idea_services
from ideas.models import Idea, IdeaRevision
from moderation import services
from tests.civic.test_translations import _entries
from tests.debate.factories import CommentFactory
from tests.factories import IdeaFactory, TopicFactory
from tests.moderation.factories import IdeaImageFactory

pytestmark = pytest.mark.django_db

MARK = "Edited by a moderator"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def topic(consultation):
    return TopicFactory(consultation=consultation)


@pytest.fixture
def topic_comment(topic, author):
    return CommentFactory(topic=topic, author=author, body="Call me on 12345678")


def _moderate(planner, target, text="Call me [removed]"):
    return services.item_edit(actor=planner, target=target, text=text, note="phone number")


def _html(client, url) -> str:
    # What a page shows, not how long a copy of it is kept: always build it afresh.
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


class TestService:
    def test_comment_edit_sets_the_mark_and_leaves_the_authors_edited_time(
        self, planner, topic_comment
    ):
        before = timezone.now()
        _moderate(planner, topic_comment)
        topic_comment.refresh_from_db()
        assert topic_comment.body == "Call me [removed]"
        assert topic_comment.moderator_edited_at >= before
        assert topic_comment.edited_at is None
        assert CommentRevision.objects.get(comment=topic_comment).body == "Call me on 12345678"

    def test_author_edit_sets_edited_time_only(self, author, topic_comment):
        debate_services.comment_edit(actor=author, comment=topic_comment, body="Call me later")
        topic_comment.refresh_from_db()
        assert topic_comment.edited_at is not None and topic_comment.moderator_edited_at is None

    def test_idea_edit_sets_the_mark(self, planner, idea):
        _moderate(planner, idea)
        idea.refresh_from_db()
        assert idea.moderator_edited_at is not None
        assert IdeaRevision.objects.get(idea=idea).edited_by_moderator

    def test_mark_is_written_in_the_edits_transaction(self, planner, topic_comment, monkeypatch):
        def fail(*args, **kwargs):
            raise RuntimeError("mail server down")

        monkeypatch.setattr(services, "_tell_author", fail)
        with pytest.raises(RuntimeError):
            _moderate(planner, topic_comment)
        topic_comment.refresh_from_db()
        assert topic_comment.moderator_edited_at is None
        assert topic_comment.body == "Call me on 12345678"
        assert not AuditEntry.objects.filter(action="moderation.edit").exists()

    def test_refused_edit_leaves_no_mark(self, planner, topic_comment):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            _moderate(planner, topic_comment, text="  ")
        topic_comment.refresh_from_db()
        assert topic_comment.moderator_edited_at is None


class TestAppealable:
    def test_comment_and_idea_become_appealable_when_edited(self, planner, comment, idea):
        assert not services.appealable(comment) and not services.appealable(idea)
        _moderate(planner, comment)
        _moderate(planner, idea)
        comment.refresh_from_db()
        idea.refresh_from_db()
        assert services.appealable(comment) and services.appealable(idea)

    def test_reads_the_column_without_a_query(
        self, planner, comment, idea, django_assert_num_queries
    ):
        _moderate(planner, comment)
        _moderate(planner, idea)
        comment.refresh_from_db()
        idea.refresh_from_db()
        with django_assert_num_queries(0):
            assert services.appealable(comment) and services.appealable(idea)

    def test_log_entry_alone_does_not_make_it_appealable(self, planner, comment):
        audit_record(actor=planner, action="moderation.edit", target=comment)
        assert not services.appealable(comment)

    def test_author_can_appeal_the_edit(self, planner, author, comment):
        _moderate(planner, comment)
        appeal = services.appeal_create(author=author, target=comment, text="It was my shop")
        assert appeal.comment_id == comment.pk

    def test_visible_photo_is_not_appealable(self, idea):
        assert not services.appealable(IdeaImageFactory(idea=idea))


class TestTopicPage:
    def test_mark_after_a_moderator_edit_only(self, client, planner, topic, topic_comment):
        plain = CommentFactory(topic=topic, body="Nothing to see")
        html = _html(client, topic.get_absolute_url())
        assert MARK not in html
        _moderate(planner, topic_comment)
        topic_comment.refresh_from_db()
        html = _html(client, topic.get_absolute_url())
        assert html.count(MARK) == 1
        stamp = timezone.localtime(topic_comment.moderator_edited_at).isoformat()
        assert f'{MARK} <time datetime="{stamp}">' in html
        # The author did not edit: no "(edited)" that would credit the change to them.
        assert "comment-edited" not in html
        article = html.split(f'id="comment-{plain.pk}"')[1].split("</article>")[0]
        assert "Nothing to see" in article and MARK not in article

    def test_author_edit_and_moderator_edit_are_both_shown(
        self, client, planner, author, topic, topic_comment
    ):
        debate_services.comment_edit(actor=author, comment=topic_comment, body="My shop: 1234")
        html = _html(client, topic.get_absolute_url())
        assert "comment-edited" in html and MARK not in html
        _moderate(planner, topic_comment)
        html = _html(client, topic.get_absolute_url())
        assert "comment-edited" in html and MARK in html

    def test_mark_is_shown_to_everyone(self, client, planner, resident, topic, topic_comment):
        _moderate(planner, topic_comment)
        for viewer in (resident, planner):
            client.force_login(viewer)
            assert MARK in _html(client, topic.get_absolute_url())

    def test_idea_page_comments_carry_the_mark(self, client, planner, idea, comment):
        _moderate(planner, comment)
        assert 'class="meta comment-moderator-edited"' in _html(client, idea.get_absolute_url())

    def test_query_count_is_the_same_with_marked_comments(self, client, planner, topic):
        for n in range(10):
            CommentFactory(topic=topic, body=f"comment {n}")
        client.force_login(planner)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                _html(client, topic.get_absolute_url())
            return len(queries)

        unmarked = count()
        Comment.objects.filter(topic=topic).update(moderator_edited_at=timezone.now())
        html = _html(client, topic.get_absolute_url())
        assert html.count(MARK) == 10
        assert count() == unmarked


class TestIdeaPages:
    def test_detail_marks_a_moderator_edit_only(self, client, planner, idea):
        assert MARK not in _html(client, idea.get_absolute_url())
        _moderate(planner, idea)
        idea.refresh_from_db()
        html = _html(client, idea.get_absolute_url())
        stamp = timezone.localtime(idea.moderator_edited_at).isoformat()
        assert f'<time datetime="{stamp}">' in html
        assert MARK in html
        # The only revision is the moderator's, so the author is not said to have edited.
        assert "· edited" not in html

    def test_detail_still_says_edited_after_the_authors_own_edit(
        self, client, planner, author, idea
    ):
        idea_services.idea_update(user=author, idea=idea, description="A bigger sauna")
        html = _html(client, idea.get_absolute_url())
        assert "· edited" in html and MARK not in html
        idea.refresh_from_db()
        _moderate(planner, idea)
        html = _html(client, idea.get_absolute_url())
        assert "· edited" in html and MARK in html

    def test_list_card_marks_the_edited_idea(self, client, planner, consultation, idea):
        other = IdeaFactory(consultation=consultation, title="A bench")
        _moderate(planner, idea)
        html = _html(client, reverse("ideas:list", args=[consultation.slug]))
        assert html.count(MARK) == 1
        assert html.index(MARK) > html.index(idea.title)
        assert other.title in html

    def test_list_query_count_is_the_same_with_marked_ideas(self, client, consultation):
        IdeaFactory.create_batch(5, consultation=consultation)
        url = reverse("ideas:list", args=[consultation.slug])

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                _html(client, url)
            return len(queries)

        unmarked = count()
        Idea.objects.filter(consultation=consultation).update(moderator_edited_at=timezone.now())
        assert _html(client, url).count(MARK) == 5
        assert count() == unmarked

    def test_queue_item_shows_the_mark_to_the_moderator(self, client, planner, idea):
        _moderate(planner, idea)
        client.force_login(planner)
        html = _html(client, reverse("moderation:item", kwargs={"kind": "idea", "pk": idea.pk}))
        assert MARK in html


class TestApi:
    def test_comment_carries_moderator_edited_at(self, planner, topic, topic_comment):
        api = APIClient()
        url = f"/api/v1/topics/{topic.pk}/comments/"
        first = api.get(url).json()["results"][0]
        assert first["moderator_edited_at"] is None and first["edited_at"] is None
        _moderate(planner, topic_comment)
        first = api.get(url).json()["results"][0]
        assert first["moderator_edited_at"] is not None and first["edited_at"] is None

    def test_field_is_read_only(self, author, topic_comment):
        api = APIClient()
        api.force_authenticate(author)
        response = api.patch(
            f"/api/v1/comments/{topic_comment.pk}/",
            {"body": "Changed", "moderator_edited_at": "2020-01-01T00:00:00Z"},
            format="json",
        )
        assert response.status_code in (200, 400)
        topic_comment.refresh_from_db()
        assert topic_comment.moderator_edited_at is None


class TestBackfill:
    """Edits made before the column existed are found in the log and the revisions."""

    def _run(self, app: str, name: str):
        importlib.import_module(f"{app}.migrations.{name}").mark_moderator_edits(django_apps, None)

    def test_comment_mark_from_the_log_and_authors_time_restored(self, planner, topic_comment):
        start = timezone.now() - timedelta(days=3)
        author_edit = start
        moderator_edit = start + timedelta(days=1)
        for moment in (author_edit, moderator_edit):
            revision = CommentRevision.objects.create(comment=topic_comment, body="old")
            CommentRevision.objects.filter(pk=revision.pk).update(created_at=moment)
        entry = audit_record(actor=planner, action="moderation.edit", target=topic_comment)
        AuditEntry.objects.filter(pk=entry.pk).update(
            created_at=moderator_edit + timedelta(milliseconds=20)
        )
        # The old service stamped the moderator's edit as edited_at.
        Comment.objects.filter(pk=topic_comment.pk).update(edited_at=moderator_edit)
        untouched = CommentFactory(topic=topic_comment.topic, edited_at=author_edit)

        self._run("debate", "0006_backfill_moderator_edited_at")

        topic_comment.refresh_from_db()
        untouched.refresh_from_db()
        assert topic_comment.moderator_edited_at == moderator_edit + timedelta(milliseconds=20)
        assert topic_comment.edited_at == author_edit
        assert untouched.moderator_edited_at is None and untouched.edited_at == author_edit

    def test_comment_only_edited_by_a_moderator_loses_its_edited_time(self, planner, topic_comment):
        moment = timezone.now() - timedelta(days=1)
        revision = CommentRevision.objects.create(comment=topic_comment, body="old")
        CommentRevision.objects.filter(pk=revision.pk).update(created_at=moment)
        entry = audit_record(actor=planner, action="moderation.edit", target=topic_comment)
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=moment)
        Comment.objects.filter(pk=topic_comment.pk).update(edited_at=moment)

        self._run("debate", "0006_backfill_moderator_edited_at")

        topic_comment.refresh_from_db()
        assert topic_comment.moderator_edited_at == moment and topic_comment.edited_at is None

    def test_idea_mark_from_the_latest_moderator_revision(self, planner, idea):
        times = [timezone.now() - timedelta(days=d) for d in (3, 2, 1)]
        for moment, by_moderator in zip(times, (True, True, False), strict=True):
            revision = IdeaRevision.objects.create(
                idea=idea,
                title=idea.title,
                description="old",
                latitude=idea.latitude,
                longitude=idea.longitude,
                edited_by_moderator=by_moderator,
            )
            IdeaRevision.objects.filter(pk=revision.pk).update(created_at=moment)
        plain = IdeaFactory(consultation=idea.consultation)

        self._run("ideas", "0005_backfill_moderator_edited_at")

        idea.refresh_from_db()
        plain.refresh_from_db()
        assert idea.moderator_edited_at == times[1]
        assert plain.moderator_edited_at is None


@pytest.mark.parametrize("app", ["debate", "ideas", "moderation"])
@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "Redigeret af en moderator"), ("nb", "Redigert av en moderator")],
)
def test_mark_is_translated(app, language, expected):
    path = ROOT / app / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = {msgid: (msgstr, flags) for msgid, msgstr, flags in _entries(path)}
    assert entries[MARK] == (expected, entries[MARK][1])
    assert "fuzzy" not in entries[MARK][1]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "Redigeret af en moderator"), ("nb", "Redigert av en moderator")],
)
def test_pages_show_the_mark_in_each_language(
    client, planner, idea, topic_comment, language, expected
):
    _moderate(planner, topic_comment)
    _moderate(planner, idea)
    for url in (topic_comment.topic.get_absolute_url(), idea.get_absolute_url()):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert expected in html and MARK not in html
