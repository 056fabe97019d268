import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from debate import services
from debate.models import Comment, PollAnswer
from tests import factories

from .factories import CommentFactory


@pytest.fixture
def api():
    return APIClient()


def test_get_tree_with_pagination(api, topic):
    root = CommentFactory(topic=topic, body="root", stance="for")
    reply = CommentFactory(topic=topic, parent=root, body="reply")
    for _ in range(3):
        CommentFactory(topic=topic)
    response = api.get(f"/api/v1/topics/{topic.pk}/comments/?page_size=2&sort=oldest")
    assert response.status_code == 200
    data = response.json()
    assert data["page"] == 1 and data["next"].endswith("page=2") and data["previous"] is None
    first = data["results"][0]
    assert first["id"] == root.pk and first["stance"] == "for"
    assert first["replies"][0]["id"] == reply.pk and first["replies"][0]["parent"] == root.pk
    assert first["author"] == {"name": root.author.public_name}
    assert "email" not in str(first)


def test_api_query_count_does_not_grow(api, topic, resident):
    api.force_authenticate(resident)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/topics/{topic.pk}/comments/").status_code == 200
        return len(queries)

    roots = [CommentFactory(topic=topic) for _ in range(2)]
    for i in range(8):
        CommentFactory(topic=topic, parent=roots[i % 2])
    small = count()
    parents = [CommentFactory(topic=topic) for _ in range(40)]
    for i in range(150):
        parents.append(CommentFactory(topic=topic, parent=parents[i]))
    assert count() == small


def test_post_comment_and_reply(api, resident, topic):
    api.force_authenticate(resident)
    url = f"/api/v1/topics/{topic.pk}/comments/"
    response = api.post(url, {"body": "Tunnel!", "stance": "for"}, format="json")
    assert response.status_code == 201, response.json()
    root_id = response.json()["id"]
    response = api.post(url, {"body": "Agreed", "parent": root_id}, format="json")
    assert response.status_code == 201 and response.json()["depth"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "<script>alert(1)</script>"}, "body"),
        ({"body": "ok", "stance": "sideways"}, "stance"),
        ({"body": "ok", "parent": 999999}, "parent"),
        ({"body": "ok", "parent": "abc"}, "parent"),
    ],
)
def test_post_bad_input_is_400_with_field(api, resident, topic, payload, field):
    api.force_authenticate(resident)
    response = api.post(f"/api/v1/topics/{topic.pk}/comments/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_reply_across_topics_and_to_deleted_is_400(api, resident, consultation, topic):
    api.force_authenticate(resident)
    other = CommentFactory(topic=factories.TopicFactory(consultation=consultation))
    response = api.post(
        f"/api/v1/topics/{topic.pk}/comments/", {"body": "x", "parent": other.pk}, format="json"
    )
    assert response.status_code == 400 and "parent" in response.json()
    gone = CommentFactory(topic=topic, is_deleted=True, body="")
    response = api.post(
        f"/api/v1/topics/{topic.pk}/comments/", {"body": "x", "parent": gone.pk}, format="json"
    )
    assert response.status_code == 400 and "deleted" in response.json()["parent"][0]


def test_anonymous_post_is_refused(api, topic):
    response = api.post(f"/api/v1/topics/{topic.pk}/comments/", {"body": "x"}, format="json")
    assert response.status_code in (401, 403)


def test_phase_closed_is_403_with_reason(api, resident, consultation, topic):
    consultation.phases.update(allows_comments=False)
    api.force_authenticate(resident)
    response = api.post(f"/api/v1/topics/{topic.pk}/comments/", {"body": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_idea_comments(api, resident, consultation):
    idea = factories.IdeaFactory(consultation=consultation)
    api.force_authenticate(resident)
    url = f"/api/v1/ideas/{idea.pk}/comments/"
    assert api.post(url, {"body": "Nice"}, format="json").status_code == 201
    response = api.post(url, {"body": "Side", "stance": "for"}, format="json")
    assert response.status_code == 400 and "stance" in response.json()
    assert [c["body"] for c in api.get(url).json()["results"]] == ["Nice"]
    hidden = factories.IdeaFactory(consultation=consultation, is_hidden=True)
    assert api.get(f"/api/v1/ideas/{hidden.pk}/comments/").status_code == 404


def test_patch_and_delete_only_by_author(api, resident, topic):
    comment = services.comment_create(author=resident, target=topic, body="Mine")
    url = f"/api/v1/comments/{comment.pk}/"
    api.force_authenticate(factories.UserFactory())
    response = api.patch(url, {"body": "Hijack"}, format="json")
    assert response.status_code == 403 and "author" in response.json()["detail"]
    assert api.delete(url).status_code == 403
    api.force_authenticate(resident)
    response = api.patch(url, {"body": "Edited", "is_official": True}, format="json")
    assert response.status_code == 400 and "is_official" in response.json()
    response = api.patch(url, {"body": "Edited"}, format="json")
    assert response.status_code == 200 and response.json()["edited_at"]
    assert api.delete(url).status_code == 204
    data = api.get(url).json()
    assert data["is_deleted"] and data["body"] == ""


def test_vote_endpoint(api, resident, topic):
    comment = CommentFactory(topic=topic)
    url = f"/api/v1/comments/{comment.pk}/vote/"
    assert api.post(url, {"value": 1}, format="json").status_code in (401, 403)
    api.force_authenticate(resident)
    response = api.post(url, {"value": 1}, format="json")
    assert response.status_code == 200 and response.json()["upvotes"] == 1
    assert response.json()["your_vote"] == 1
    response = api.post(url, {"value": -1}, format="json")
    assert (response.json()["upvotes"], response.json()["downvotes"]) == (0, 1)
    response = api.post(url, {"value": 0}, format="json")
    assert response.json()["downvotes"] == 0
    response = api.post(url, {"value": 2}, format="json")
    assert response.status_code == 400 and "value" in response.json()


def test_official_endpoint(api, resident, assigned_planner, other_planner, topic):
    answer = CommentFactory(topic=topic, author=assigned_planner)
    url = f"/api/v1/comments/{answer.pk}/official/"
    api.force_authenticate(other_planner)
    assert api.post(url, {}, format="json").status_code == 403
    api.force_authenticate(resident)
    assert api.post(url, {}, format="json").status_code == 403
    api.force_authenticate(assigned_planner)
    response = api.post(url, {}, format="json")
    assert response.status_code == 200 and response.json()["is_official"]
    response = api.post(url, {"official": False}, format="json")
    assert not response.json()["is_official"]


def test_official_flag_on_post_is_permission_checked(api, resident, topic):
    api.force_authenticate(resident)
    response = api.post(
        f"/api/v1/topics/{topic.pk}/comments/", {"body": "x", "official": True}, format="json"
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_poll_endpoint(api, resident, poll_topic):
    url = f"/api/v1/topics/{poll_topic.pk}/poll/"
    data = api.get(url).json()
    assert data["question"] == "Tunnel?" and data["results_visible"] is False
    assert all(option["count"] is None for option in data["options"])
    yes = data["options"][0]["id"]
    api.force_authenticate(resident)
    response = api.post(url, {"options": [yes]}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["your_answer"] == [yes] and data["results_visible"]
    assert data["options"][0]["count"] == 1 and data["options"][0]["percent"] == 100
    response = api.post(url, {"options": [yes, data["options"][1]["id"]]}, format="json")
    assert response.status_code == 400 and "options" in response.json()
    assert api.post(url, {"options": []}, format="json").status_code == 400
    assert PollAnswer.objects.count() == 1


def test_poll_endpoint_404_without_poll(api, topic):
    assert api.get(f"/api/v1/topics/{topic.pk}/poll/").status_code == 404


def test_draft_consultation_is_hidden(api, resident):
    topic = factories.TopicFactory(consultation=factories.ConsultationFactory(status="draft"))
    api.force_authenticate(resident)
    assert api.get(f"/api/v1/topics/{topic.pk}/comments/").status_code == 404


def test_schema_is_valid(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/topics/{id}/comments/" in response.content


def test_hand_built_comment_data_matches_the_documented_serializer(api, topic, planner):
    from debate.api import CommentPageSerializer, CommentSerializer, comment_data

    root = CommentFactory(topic=topic, body="*root*")
    CommentFactory(topic=topic, parent=root, author=planner, is_official=True)
    data = api.get(f"/api/v1/topics/{topic.pk}/comments/").json()
    assert set(data) == set(CommentPageSerializer().fields)
    first = data["results"][0]
    assert set(first) == set(CommentSerializer().fields)
    assert set(first["replies"][0]) == set(CommentSerializer().fields)
    assert first["body_html"] == "<p><em>root</em></p>"
    root.viewer_vote, root.display_replies, root.in_reply_to = 0, [], None
    expected = CommentSerializer(root).data
    assert comment_data(root) == {**expected, "replies": []}
