"""Site-wide search (/search/ and /api/v1/search/): words, highlighting, visibility, query
counts and bad input."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from civic.search import MAX_QUERY_LENGTH, search_words
from consultations.models import Consultation
from consultations.services import RESERVED_SLUGS
from debate.models import CommentPublication
from frontend.templatetags.search_tags import highlight
from ideas.models import Publication
from tests import factories
from tests.clients import api_for
from tests.debate.factories import CommentFactory

pytestmark = pytest.mark.django_db


# --- words and highlighting ----------------------------------------------------------------------
def test_words_are_split_deduplicated_and_bounded():
    assert search_words("  Sauna  sauna, 'havn' ") == ["Sauna", "havn"]
    assert search_words("") == []
    assert search_words("a sauna") == ["sauna"]  # one-letter words add nothing beside others
    assert len(search_words(" ".join(f"word{n}" for n in range(20)))) == 8
    with pytest.raises(ValidationError):
        search_words("x" * (MAX_QUERY_LENGTH + 1))


def test_highlight_escapes_first_then_marks():
    html = highlight("<script>alert(1)</script> a Sauna & more", ["sauna", "<script>"])
    assert "<script>" not in html
    assert "<mark>&lt;script&gt;</mark>" in html
    assert "<mark>Sauna</mark> &amp; more" in html
    # A word that only matches inside an escaped entity is never split into markup.
    assert highlight("Tom & Jerry", ["amp"]) == "Tom &amp; Jerry"


def test_highlight_cuts_around_the_first_match():
    text = "start " + "filler " * 60 + "the harbour sauna " + "more " * 60
    html = highlight(text, ["sauna"], 120)
    assert "<mark>sauna</mark>" in html
    assert html.startswith("…") and html.endswith("…")


# --- results --------------------------------------------------------------------------------------
@pytest.fixture
def world(db):
    consultation = factories.ConsultationFactory(
        title="Harbour baths", summary="A sauna for the harbour?"
    )
    idea = factories.IdeaFactory(
        consultation=consultation, title="Floating sauna", description="Wood-fired, by the quay."
    )
    topic = factories.TopicFactory(
        consultation=consultation, title="Sauna or swimming?", introduction="Which first?"
    )
    comment = CommentFactory(topic=topic, body="A sauna **please**, <b>now</b>.")
    return {"consultation": consultation, "idea": idea, "topic": topic, "comment": comment}


def test_search_page_groups_and_links(client, world):
    response = client.get(reverse("search"), {"q": "sauna"})
    assert response.status_code == 200
    page = response.content.decode()
    groups = {g.name: g for g in response.context["groups"]}
    assert [g.count for g in groups.values()] == [1, 1, 1, 1]
    assert "<mark>sauna</mark>" in page
    assert world["idea"].get_absolute_url() in page
    comment = world["comment"]
    assert f"{world['topic'].get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}" in page
    # The author's markup is shown as text, never as markup.
    assert "<b>now</b>" not in page and "&lt;b&gt;now&lt;/b&gt;" in page


def test_the_header_has_a_labelled_search_box(client):
    page = client.get(reverse("search")).content.decode()
    assert 'role="search"' in page
    assert '<label for="header-search-q"' in page and 'id="header-search-q"' in page


def test_empty_and_too_long_queries_are_readable(client):
    empty = client.get(reverse("search"), {"q": "  "})
    assert empty.status_code == 200 and empty.context["groups"] is None
    too_long = client.get(reverse("search"), {"q": "x" * 201})
    assert too_long.status_code == 400
    assert "at most 200 characters" in too_long.content.decode()
    assert client.get(reverse("search"), {"q": "sauna", "group": "nope"}).status_code == 400
    assert client.get(reverse("search"), {"q": "sauna", "page": "zz"}).status_code == 200


def test_one_group_page_by_page(client, world):
    for n in range(25):
        factories.IdeaFactory(consultation=world["consultation"], title=f"Sauna number {n}")
    overview = client.get(reverse("search"), {"q": "sauna"})
    ideas = next(g for g in overview.context["groups"] if g.name == "ideas")
    assert ideas.count == 26 and len(ideas.items) == 5
    assert "group=ideas" in overview.content.decode()
    second = client.get(reverse("search"), {"q": "sauna", "group": "ideas", "page": 2})
    (group,) = second.context["groups"]
    assert group.number == 2 and len(group.items) == 6 and not group.has_next


def test_search_is_reserved_and_routed_before_consultations():
    assert "search" in RESERVED_SLUGS
    assert reverse("search") == "/search/"


def test_search_is_rate_limited(client, settings, world):
    # A day-long window: the four requests fall in one window unless they straddle midnight,
    # where a minute-long one split them at every full minute (a failure seen in a full run).
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/d"}
    settings.RATE_LIMIT_IP_FACTOR = 1
    assert client.get(reverse("search"), {"q": "sauna"}).status_code == 200
    assert client.get(reverse("search"), {"q": "sauna"}).status_code == 200
    assert client.get(reverse("search"), {"q": "sauna"}).status_code == 429
    assert api_for().get("/api/v1/search/", {"q": "sauna"}).status_code == 429


# --- query counts ---------------------------------------------------------------------------------
def _populate(count: int):
    consultation = factories.ConsultationFactory(title="Sauna consultation")
    topic = factories.TopicFactory(consultation=consultation, title="Sauna topic")
    idea = factories.IdeaFactory(consultation=consultation, title="Sauna idea")
    for n in range(count):
        factories.ConsultationFactory(title=f"Sauna {n}")
        factories.IdeaFactory(consultation=consultation, title=f"Sauna idea {n}")
        factories.TopicFactory(consultation=consultation, title=f"Sauna topic {n}")
        CommentFactory(topic=topic, body=f"Sauna on a topic {n}")
        CommentFactory(topic=None, idea=idea, consultation=consultation, body=f"Sauna {n}")


@pytest.mark.parametrize("rows", [2, 20])
def test_the_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    _populate(rows)
    # Four groups, each a count and a page: eight queries, however many results.
    with django_assert_num_queries(8):
        response = client.get(reverse("search"), {"q": "sauna"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_the_api_runs_a_fixed_number_of_queries(django_assert_num_queries, rows):
    _populate(rows)
    with django_assert_num_queries(8):
        response = api_for().get("/api/v1/search/", {"q": "sauna"})
    assert response.status_code == 200
    groups = response.json()["groups"].values()
    assert all(len(g["results"]) == min(5, g["count"]) > 2 for g in groups)


# --- the API --------------------------------------------------------------------------------------
def test_api_answers_groups_and_bad_input(world):
    answer = api_for().get("/api/v1/search/", {"q": "sauna"})
    assert answer.status_code == 200
    groups = answer.json()["groups"]
    assert {name: g["count"] for name, g in groups.items()} == {
        "consultations": 1,
        "ideas": 1,
        "topics": 1,
        "comments": 1,
    }
    comment = groups["comments"]["results"][0]
    assert f"?comment={world['comment'].pk}#comment-{world['comment'].pk}" in comment["url"]
    one = api_for().get("/api/v1/search/", {"q": "sauna", "group": "ideas"}).json()
    assert list(one["groups"]) == ["ideas"]
    assert api_for().get("/api/v1/search/").status_code == 400
    too_long = api_for().get("/api/v1/search/", {"q": "x" * 201})
    assert too_long.status_code == 400 and "q" in too_long.json()
    assert api_for().get("/api/v1/search/", {"q": "a", "group": "x"}).status_code == 400


def test_the_schema_documents_search():
    from django.test import Client

    schema = Client().get("/api/schema/").content.decode()
    assert "/api/v1/search/" in schema and "SearchResults" in schema


# --- visibility -----------------------------------------------------------------------------------
SECRET = "zebrafish"


@pytest.fixture
def planted(db):
    """A hidden comment, a draft consultation, an unconfirmed idea, a hidden idea, a deleted
    comment, a comment waiting for approval and a person's e-mail, all with the secret word."""
    public = factories.ConsultationFactory(title="Public harbour")
    author = factories.UserFactory(
        email=f"{SECRET}@example.org", display_name="Shown Name", show_name_publicly=True
    )
    topic = factories.TopicFactory(consultation=public, title="Open topic")
    hidden = CommentFactory(topic=topic, author=author, body=f"hidden {SECRET} comment")
    hidden.is_hidden = True
    hidden.save()
    deleted = CommentFactory(topic=topic, author=author, body=f"deleted {SECRET} comment")
    deleted.is_deleted = True
    deleted.save()
    CommentFactory(
        topic=topic,
        author=author,
        body=f"waiting {SECRET} comment",
        publication=CommentPublication.PENDING_MODERATION,
    )
    # Visible text by the same author: the author's e-mail must not come with it.
    CommentFactory(topic=topic, author=author, body="A visible comment about the harbour")
    draft = factories.ConsultationFactory(
        title=f"Draft {SECRET} plan", status=Consultation.Status.DRAFT
    )
    factories.TopicFactory(consultation=draft, title=f"Draft {SECRET} topic")
    factories.IdeaFactory(consultation=draft, title=f"Idea in a {SECRET} draft")
    factories.IdeaFactory(
        consultation=public,
        title=f"Unconfirmed {SECRET}",
        publication=Publication.PENDING_CONFIRMATION,
    )
    factories.IdeaFactory(consultation=public, title=f"Hidden {SECRET} idea", is_hidden=True)
    return {"draft": draft, "author": author}


@pytest.mark.parametrize("who", ["anonymous", "resident", "resident_api"])
def test_hidden_drafts_and_emails_never_appear(client, planted, who):
    if who == "resident":
        client.force_login(factories.UserFactory())
    if who == "resident_api":
        answer = api_for(factories.UserFactory()).get("/api/v1/search/", {"q": SECRET})
        assert answer.status_code == 200
        assert all(g["count"] == 0 for g in answer.json()["groups"].values())
        harbour = api_for().get("/api/v1/search/", {"q": "harbour"}).content.decode()
        assert SECRET not in harbour and "@" not in harbour
        return
    response = client.get(reverse("search"), {"q": SECRET})
    assert all(g.count == 0 for g in response.context["groups"])
    page = client.get(reverse("search"), {"q": "harbour"}).content.decode()
    assert "Shown Name" in page
    assert f"{SECRET}@example.org" not in page and f"{SECRET} comment" not in page


def test_staff_who_may_see_drafts_find_them(client, planted, administrator):
    client.force_login(administrator)
    response = client.get(reverse("search"), {"q": SECRET})
    counts = {g.name: g.count for g in response.context["groups"]}
    assert counts["consultations"] == 1 and counts["topics"] == 1
    # Hidden and deleted comments have no text to find, whoever asks.
    assert counts["comments"] == 0


def test_the_author_finds_their_comment_waiting_for_approval(client, planted):
    client.force_login(planted["author"])
    response = client.get(reverse("search"), {"q": SECRET})
    comments = next(g for g in response.context["groups"] if g.name == "comments")
    assert [c.body for c in comments.items] == [f"waiting {SECRET} comment"]


def test_deleted_authors_names_are_not_shown(client):
    topic = factories.TopicFactory()
    author = factories.UserFactory(display_name="Gone Person", show_name_publicly=True)
    CommentFactory(topic=topic, author=author, body="Sauna forever")
    author.is_deleted = True
    author.save()
    page = client.get(reverse("search"), {"q": "sauna"}).content.decode()
    assert "Gone Person" not in page and "Deleted user" in page
