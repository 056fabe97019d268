"""A consultation may take supports and poll answers only from residents verified with the
national eID; the page says why, and the rule holds in HTML and API alike."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from debate import services as debate
from ideas import services as ideas
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tunnel():
    return factories.ConsultationFactory(verified_only=True)


def _verified(settings):
    person = factories.UserFactory()
    SocialAccount.objects.create(user=person, provider=settings.OIDC_PROVIDER_ID, uid="eid-42")
    return person


def test_an_unverified_support_is_refused_with_the_reason(tunnel):
    idea = factories.IdeaFactory(consultation=tunnel)
    with pytest.raises(PermissionDenied, match="national eID"):
        ideas.idea_support(user=factories.UserFactory(), idea=idea)


def test_a_verified_resident_supports(tunnel, settings):
    idea = factories.IdeaFactory(consultation=tunnel)
    ideas.idea_support(user=_verified(settings), idea=idea)
    idea.refresh_from_db()
    assert idea.support_count == 1


def test_another_providers_account_does_not_count(tunnel):
    person = factories.UserFactory()
    SocialAccount.objects.create(user=person, provider="someone-else", uid="x")
    with pytest.raises(PermissionDenied):
        ideas.idea_support(user=person, idea=factories.IdeaFactory(consultation=tunnel))


def test_the_api_refuses_with_403_and_the_reason(tunnel):
    idea = factories.IdeaFactory(consultation=tunnel)
    api = APIClient()
    api.force_authenticate(factories.UserFactory())
    response = api.post(f"/api/v1/ideas/{idea.pk}/support/")
    assert response.status_code == 403 and "eID" in str(response.json())


def test_the_idea_page_says_why(client, tunnel):
    idea = factories.IdeaFactory(consultation=tunnel)
    client.force_login(factories.UserFactory())
    page = client.get(idea.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only residents who have signed in with the national eID" in page
    assert "Support this idea" not in page


def test_polls_too_and_comments_stay_open(client, tunnel, settings):
    topic = factories.TopicFactory(consultation=tunnel, poll_question="Tunnel?")
    option = factories.PollOptionFactory(topic=topic, label="Yes")
    person = factories.UserFactory()
    with pytest.raises(PermissionDenied, match="national eID"):
        debate.poll_answer(user=person, topic=topic, option_ids=[option.pk])
    debate.poll_answer(user=_verified(settings), topic=topic, option_ids=[option.pk])
    debate.comment_create(author=person, target=topic, body="Everyone may still argue.")
    client.force_login(person)
    page = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only residents who have signed in with the national eID" in page


def test_an_ordinary_consultation_is_unchanged():
    idea = factories.IdeaFactory()
    ideas.idea_support(user=factories.UserFactory(), idea=idea)


def test_the_planner_sets_it_in_the_api(planner):
    from tests.consultations.test_api import LIST, _payload

    api = APIClient()
    api.force_authenticate(planner)
    response = api.post(LIST, _payload(verified_only=True), format="json")
    assert response.status_code == 201 and response.json()["verified_only"] is True
