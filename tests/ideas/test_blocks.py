"""A moderator's block keeps a person from every participation action on ideas, not only from
submitting: editing and withdrawing their own ideas, supporting and taking a support back.
The refusal says why, in the API (403 with the reason) and on the pages (the 403 page)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ideas import services
from ideas.models import Idea, Publication, Support
from moderation import services as moderation
from tests.clients import api_for
from tests.factories import ConsultationFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Repeated spam links"


@pytest.fixture
def author(db):
    return UserFactory()


@pytest.fixture
def idea(submit, author):
    return submit(author)


def block(person, planner, consultation=None):
    return moderation.user_block(
        actor=planner, user=person, consultation=consultation, days=7, reason=REASON
    )


@pytest.mark.parametrize("site_wide", [True, False])
def test_blocked_author_cannot_edit_or_withdraw_through_the_services(
    idea, author, planner, site_wide
):
    block(author, planner, None if site_wide else idea.consultation)
    with pytest.raises(PermissionDenied, match=REASON):
        services.idea_update(user=author, idea=idea, title="Spam title")
    with pytest.raises(PermissionDenied, match=REASON):
        services.idea_withdraw(user=author, idea=idea)
    idea.refresh_from_db()
    assert idea.title != "Spam title" and idea.publication == Publication.PUBLISHED


def test_a_block_in_another_consultation_does_not_apply(idea, author, planner):
    block(author, planner, ConsultationFactory())
    services.idea_update(user=author, idea=idea, title="Better title")
    idea.refresh_from_db()
    assert idea.title == "Better title"


def test_blocked_supporter_cannot_take_a_support_back(idea, planner):
    supporter = UserFactory()
    services.idea_support(user=supporter, idea=idea)
    block(supporter, planner, idea.consultation)
    with pytest.raises(PermissionDenied, match=REASON):
        services.idea_unsupport(user=supporter, idea=idea)
    assert Support.objects.filter(idea=idea, user=supporter).exists()


def test_api_answers_403_with_the_reason(submit, idea, author, planner):
    other = UserFactory()
    services.idea_support(user=other, idea=submit(UserFactory(), title="Another"))
    block(author, planner)
    block(other, planner)
    response = api_for(author).patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Spam"}, format="json")
    assert response.status_code == 403 and REASON in response.json()["detail"]
    response = api_for(author).delete(f"/api/v1/ideas/{idea.pk}/")
    assert response.status_code == 403 and REASON in response.json()["detail"]
    supported = Support.objects.get(user=other).idea
    response = api_for(other).delete(f"/api/v1/ideas/{supported.pk}/support/")
    assert response.status_code == 403 and REASON in response.json()["detail"]
    response = api_for(other).post(f"/api/v1/ideas/{idea.pk}/support/")
    assert response.status_code == 403 and REASON in response.json()["detail"]
    assert Idea.objects.get(pk=idea.pk).title == idea.title
    assert Support.objects.filter(user=other).count() == 1


def test_pages_answer_403_with_the_reason(client, idea, author, planner):
    block(author, planner, idea.consultation)
    client.force_login(author)
    response = client.post(
        reverse("ideas:withdraw", args=[idea.reference]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403 and REASON in response.content.decode()
    supporter = UserFactory()
    SupportFactory(idea=idea, user=supporter)
    block(supporter, planner, idea.consultation)
    client.force_login(supporter)
    response = client.post(reverse("ideas:support", args=[idea.reference]), {"action": "unsupport"})
    assert response.status_code == 403 and REASON in response.content.decode()
    idea.refresh_from_db()
    assert idea.publication == Publication.PUBLISHED


def test_edit_page_refuses_a_blocked_author_with_the_reason(client, idea, author, planner):
    block(author, planner)
    client.force_login(author)
    url = reverse("ideas:edit", args=[idea.reference])
    response = client.post(
        url,
        {
            "title": "Spam",
            "description": idea.description,
            "latitude": idea.latitude,
            "longitude": idea.longitude,
            "address_label": "",
        },
    )
    assert response.status_code == 403 and REASON in response.content.decode()


def test_others_are_not_affected_and_following_stays_open(idea, author, planner):
    """Following only brings news; a blocked person may still read and follow."""
    resident = UserFactory()
    block(resident, planner)
    services.follow(user=resident, idea=idea)
    services.idea_update(user=author, idea=idea, title="Still mine to edit")
    services.idea_support(user=UserFactory(), idea=idea)
