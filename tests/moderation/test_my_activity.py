""" "My activity": a person's ideas, supports (with withdraw), comments and follows, theirs only,
in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from debate.services import comment_create
from ideas import services as ideas
from ideas.models import Follow, Support
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = reverse("moderation:my_activity")


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(title="Christiansholm", support_limit=2)


def _act(person, consultation, n=1):
    for each in range(n):
        mine = factories.IdeaFactory(consultation=consultation, author=person, title=f"Mine {each}")
        theirs = factories.IdeaFactory(consultation=consultation, title=f"Theirs {each}")
        if each < 2:
            ideas.idea_support(user=person, idea=theirs)
        comment_create(author=person, target=theirs, body=f"My remark number {each}")
        ideas.follow(user=person, idea=theirs)
    ideas.follow(user=person, consultation=consultation)
    return mine


def test_the_page_lists_what_the_person_did_and_nobody_elses(client, resident, harbour):
    _act(resident, harbour)
    stranger = factories.UserFactory()
    _act(stranger, factories.ConsultationFactory(title="Someone else's"))
    client.force_login(resident)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Mine 0", "Theirs 0", "My remark number 0", "Christiansholm"):
        assert text in page, text
    assert "you use 1 of 2 supports (1 left)" in page
    assert "Someone else" not in page


def test_withdraw_a_support_and_stop_following_from_the_page(client, resident, harbour):
    _act(resident, harbour)
    support = Support.objects.get(user=resident)
    client.force_login(resident)
    response = client.post(
        reverse("ideas:support", args=[support.idea.reference]),
        {"action": "unsupport", "next": PAGE + "#my-supports"},
    )
    assert response.status_code == 302 and response["Location"] == PAGE + "#my-supports"
    assert not Support.objects.filter(user=resident).exists()
    follow = Follow.objects.filter(user=resident, idea__isnull=False).get()
    response = client.post(
        reverse("ideas:follow", args=[follow.idea.reference]),
        {"action": "unfollow", "next": PAGE + "#my-follows"},
    )
    assert response["Location"] == PAGE + "#my-follows"
    assert not Follow.objects.filter(pk=follow.pk).exists()


def test_next_never_leads_to_another_site(client, resident, harbour):
    _act(resident, harbour)
    support = Support.objects.get(user=resident)
    client.force_login(resident)
    response = client.post(
        reverse("ideas:support", args=[support.idea.reference]),
        {"action": "unsupport", "next": "https://evil.example/"},
    )
    assert response["Location"] == support.idea.get_absolute_url()


def test_used_up_supports_point_to_the_page(client, resident, harbour):
    _act(resident, harbour, n=3)  # two supports: the limit
    another = factories.IdeaFactory(consultation=harbour)
    client.force_login(resident)
    page = client.get(another.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have used all your supports" in page and f'href="{PAGE}#my-supports"' in page


def test_no_withdraw_button_once_the_support_phase_is_over(client, resident, harbour):
    _act(resident, harbour)
    harbour.phases.update(allows_support=False)
    client.force_login(resident)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Theirs 0" in page and "Withdraw my support" not in page


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_queries_do_not_grow_with_the_activity(client, resident, harbour):
    client.force_login(resident)
    _act(resident, harbour)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    few = count()
    _act(resident, factories.ConsultationFactory(support_limit=5), n=4)
    _act(resident, factories.ConsultationFactory(), n=3)
    assert count() == few
