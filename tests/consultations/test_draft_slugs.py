"""A draft consultation does not reveal itself: to everyone who may not see drafts, every route
that takes a consultation's address answers for a draft exactly as for an address that does not
exist (404, same body), in the API and on the pages. Those who may see the draft still do."""

import re

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

UNKNOWN = "no-such-consultation-here"

# Every route with a consultation's address in it, as (method, path); {s} is the address.
ROUTES = [
    ("get", "/{s}/"),
    ("get", "/{s}/edit/"),
    ("post", "/{s}/publish/"),
    ("post", "/{s}/close/"),
    ("post", "/{s}/results/"),
    ("get", "/ideas/c/{s}/"),
    ("get", "/ideas/c/{s}/new/"),
    ("post", "/ideas/c/{s}/follow/"),
    ("get", "/ideas/c/{s}/answer-templates/"),
    ("get", "/debate/consultations/{s}/topics/new/"),
    ("get", "/maps/c/{s}/static.svg"),
    ("get", "/maps/c/{s}/static.png"),
    ("get", "/reports/c/{s}/"),
    ("get", "/reports/c/{s}/download/ideas.csv"),
    ("get", "/moderation/c/{s}/"),
    ("get", "/social/c/{s}/"),
    ("get", "/embed/{s}/"),
    ("get", "/api/v1/consultations/{s}/"),
    ("patch", "/api/v1/consultations/{s}/"),
    ("post", "/api/v1/consultations/{s}/publish/"),
    ("post", "/api/v1/consultations/{s}/close/"),
    ("post", "/api/v1/consultations/{s}/results/"),
    ("get", "/api/v1/consultations/{s}/ideas/"),
    ("post", "/api/v1/consultations/{s}/ideas/"),
    ("get", "/api/v1/consultations/{s}/ideas.geojson"),
    ("get", "/api/v1/consultations/{s}/ideas/nearby/?lat=55.68&lon=12.58"),
    ("get", "/api/v1/consultations/{s}/social-posts/"),
    ("post", "/api/v1/consultations/{s}/social-posts/"),
    ("get", "/api/v1/consultations/{s}/exports/ideas.csv"),
]

# What differs between two answers that say the same: per-response tokens and the address.
_VOLATILE = re.compile(r'(nonce|csrfmiddlewaretoken|csrf_token|value)="[^"]*"|nonce-[\w+/=-]+')


def _normalised(response, slug: str) -> bytes:
    body = response.content.decode(errors="replace").replace(slug, "SLUG")
    return _VOLATILE.sub("", body).encode()


def _ask(client, method, path):
    if isinstance(client, APIClient):
        return getattr(client, method)(path, {}, format="json")
    return getattr(client, method)(path)


@pytest.fixture
def draft(db):
    return factories.ConsultationFactory(status="draft", slug="secret-harbour-plan")


@pytest.mark.parametrize(("method", "route"), ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "resident", "limited_planner"])
def test_a_draft_answers_like_an_unknown_address(client, draft, method, route, who):
    user = {
        "anonymous": None,
        "resident": factories.UserFactory(),
        "limited_planner": factories.PlannerFactory(limited_to_assigned=True),
    }[who]
    asker = APIClient() if route.startswith("/api/") else client
    if user is not None:
        if isinstance(asker, APIClient):
            asker.force_authenticate(user)
        else:
            asker.force_login(user)
    for_draft = _ask(asker, method, route.format(s=draft.slug))
    for_unknown = _ask(asker, method, route.format(s=UNKNOWN))
    assert for_draft.status_code == for_unknown.status_code, for_draft.content[:300]
    if method == "get" and for_unknown.status_code != 302:
        assert for_draft.status_code == 404
    assert _normalised(for_draft, draft.slug) == _normalised(for_unknown, UNKNOWN)


def test_those_who_may_see_the_draft_still_reach_it(client, draft, planner, councillor):
    api = APIClient()
    for person in (planner, councillor):
        api.force_authenticate(person)
        assert api.get(f"/api/v1/consultations/{draft.slug}/").status_code == 200
        assert api.get(f"/api/v1/consultations/{draft.slug}/social-posts/").status_code == 200
        client.force_login(person)
        assert client.get(f"/{draft.slug}/").status_code == 200


# --- Reporting an item of a draft -------------------------------------------------------------


@pytest.fixture
def draft_items(draft):
    from tests.debate.factories import CommentFactory

    idea = factories.IdeaFactory(consultation=draft)
    comment = CommentFactory(topic=factories.TopicFactory(consultation=draft))
    return {"idea": idea, "comment": comment}


@pytest.mark.parametrize("kind", ["idea", "comment"])
def test_reporting_an_item_of_a_draft_answers_as_for_an_unknown_item(client, draft_items, kind):
    resident = factories.UserFactory()
    item = draft_items[kind]
    client.force_login(resident)
    assert client.get(f"/moderation/report/{kind}/{item.pk}/").status_code == 404
    response = client.post(f"/moderation/report/{kind}/{item.pk}/", {"reason": "spam"})
    assert response.status_code == 404
    api = APIClient()
    api.force_authenticate(resident)
    answers = [
        api.post(
            "/api/v1/reports/",
            {"target_type": kind, "target_id": pk, "reason": "spam"},
            format="json",
        )
        for pk in (item.pk, 987654)
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    from moderation.models import Report

    assert not Report.objects.exists()


def test_reporting_a_comment_of_a_hidden_idea_answers_as_for_an_unknown_item(consultation):
    from debate import services as debate

    idea = factories.IdeaFactory(consultation=consultation)
    comment = debate.comment_create(author=factories.UserFactory(), target=idea, body="Hi")
    idea.is_hidden = True
    idea.save()
    api = APIClient()
    api.force_authenticate(factories.UserFactory())
    response = api.post(
        "/api/v1/reports/",
        {"target_type": "comment", "target_id": comment.pk, "reason": "spam"},
        format="json",
    )
    assert response.status_code == 400 and "target_id" in response.json()
