import pytest
from django.urls import reverse

from debate import services
from debate.models import Comment, PollAnswer
from tests import factories

from .factories import CommentFactory


def _seed_threads(topic, n):
    roots = [CommentFactory(topic=topic, stance="for") for _ in range(max(1, n // 5))]
    parents = list(roots)
    made = len(roots)
    while made < n:
        child = CommentFactory(topic=topic, parent=parents[made % len(parents)])
        parents.append(child)
        made += 1


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_topic_page_shows_intro_poll_balance_and_threads(client, resident, poll_topic):
    root = services.comment_create(
        author=resident, target=poll_topic, body="**Bygg** tunnelen", stance="for"
    )
    services.comment_create(
        author=factories.UserFactory(), target=poll_topic, body="Nei takk", parent=root
    )
    response = client.get(poll_topic.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bygg</strong>" in html and "Nei takk" in html
    assert poll_topic.poll_question in html and 'id="poll"' in html
    assert "Balance of arguments" in html
    assert "Log in" in html  # anonymous visitors are invited to log in


def test_topic_page_query_count_does_not_grow(client, resident, topic):
    client.force_login(resident)
    _seed_threads(topic, 10)
    small = _count_queries(client, topic.get_absolute_url())
    _seed_threads(topic, 200)
    large = _count_queries(client, topic.get_absolute_url())
    assert small == large


def test_comment_and_reply_through_the_form(client, resident, topic):
    client.force_login(resident)
    url = reverse("debate:topic_comment", args=[topic.pk])
    response = client.post(url, {"body": "Tunnel now", "stance": "for"})
    root = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{root.pk}")
    assert root.stance == "for"
    response = client.post(url, {"body": "Reply", "parent": root.pk})
    assert response.status_code == 302
    assert Comment.objects.get(parent=root).depth == 1


def test_form_errors_are_400_with_a_readable_message(client, resident, consultation, topic):
    client.force_login(resident)
    url = reverse("debate:topic_comment", args=[topic.pk])
    response = client.post(url, {"body": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "Scripts and embedded HTML are not allowed" in response.content.decode()
    other = CommentFactory(topic=factories.TopicFactory(consultation=consultation))
    response = client.post(url, {"body": "Hi", "parent": other.pk})
    assert response.status_code == 400
    assert "same discussion" in response.content.decode()
    assert not Comment.objects.filter(topic=topic).exists()


def test_comment_post_requires_login(client, topic):
    response = client.post(reverse("debate:topic_comment", args=[topic.pk]), {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_edit_and_delete_pages(client, resident, topic):
    comment = services.comment_create(author=resident, target=topic, body="Old")
    client.force_login(factories.UserFactory())
    assert client.get(reverse("debate:comment_edit", args=[comment.pk])).status_code == 403
    client.force_login(resident)
    response = client.post(reverse("debate:comment_edit", args=[comment.pk]), {"body": "New"})
    assert response.status_code == 302
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "New" in page and "(edited)" in page
    response = client.post(reverse("debate:comment_delete", args=[comment.pk]))
    assert response.status_code == 302
    assert "Comment deleted" in client.get(topic.get_absolute_url()).content.decode()


def test_vote_with_htmx_returns_the_widget(client, resident, topic):
    comment = CommentFactory(topic=topic)
    client.force_login(resident)
    url = reverse("debate:comment_vote", args=[comment.pk])
    response = client.post(url, {"value": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert (
        'id="votes-' in response.content.decode()
        and 'aria-pressed="true"' in response.content.decode()
    )
    response = client.post(url, {"value": "7"})
    assert response.status_code == 400


def test_planner_marks_official_and_it_is_pinned(client, resident, planner, topic):
    root = CommentFactory(topic=topic, author=resident, body="Question")
    CommentFactory(topic=topic, parent=root, body="Resident reply")
    answer = CommentFactory(topic=topic, parent=root, author=planner, body="Planner answer")
    client.force_login(planner)
    response = client.post(reverse("debate:comment_official", args=[answer.pk]))
    assert response.status_code == 302
    html = client.get(topic.get_absolute_url()).content.decode()
    assert html.index("Planner answer") < html.index("Resident reply")
    assert "Official answer" in html


def test_poll_answer_and_results_bar_chart(client, resident, poll_topic):
    client.force_login(resident)
    yes = poll_topic.poll_options.get(label="Yes")
    html = client.get(poll_topic.get_absolute_url()).content.decode()
    assert "bar-fill" not in html.split('id="poll"')[1].split("</section>")[0]
    response = client.post(
        reverse("debate:poll_answer", args=[poll_topic.pk]), {"options": [yes.pk]}
    )
    assert response.status_code == 302
    assert PollAnswer.objects.get(user=resident).option == yes
    html = client.get(poll_topic.get_absolute_url()).content.decode()
    assert "100 %" in html and "your answer" in html
    response = client.post(reverse("debate:poll_answer", args=[poll_topic.pk]), {})
    assert response.status_code == 400 and "Choose an answer." in response.content.decode()


def test_topic_create_and_edit_by_planner(client, planner, resident, consultation):
    url = reverse("debate:topic_create", args=[consultation.slug])
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(planner)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Tunnel?",
            "introduction": "Read this",
            "poll_question": "Yes or no?",
            "poll_options": "Ja\nNei\nVet ikke",
            "poll_results_visibility": "after_answer",
        },
    )
    topic = consultation.topics.get()
    assert response.status_code == 302 and topic.poll_options.count() == 3
    response = client.post(
        reverse("debate:topic_edit", args=[topic.pk]),
        {
            "title": "Tunnel?",
            "poll_question": "Q",
            "poll_options": "Only",
            "poll_results_visibility": "after_answer",
        },
    )
    assert response.status_code == 400 and "at least two" in response.content.decode()


def test_load_more_fragment_and_no_js_pagination(client, topic):
    for _ in range(25):
        CommentFactory(topic=topic)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Load more comments" in html and "page=2" in html
    fragment = client.get(
        topic.get_absolute_url() + "?page=2&fragment=threads", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert fragment.content.decode().count('class="thread"') == 5
    page2 = client.get(topic.get_absolute_url() + "?page=2").content.decode()
    assert "Previous comments" in page2


@pytest.mark.parametrize("section", ["topics", "figures"])
def test_hub_sections_render(rf, resident, consultation, section):
    from debate import hub

    factories.TopicFactory(consultation=consultation, title="Tunnel talk")
    request = rf.get("/")
    request.user = resident
    html = getattr(hub, section)(request, consultation)
    assert ("Tunnel talk" in html) if section == "topics" else ('class="figures"' in html)


def test_idea_page_shows_threads_and_takes_comments(client, resident, consultation):
    idea = factories.IdeaFactory(consultation=consultation)
    root = CommentFactory(topic=None, idea=idea, consultation=consultation, body="Lovely idea")
    CommentFactory(topic=None, idea=idea, consultation=consultation, parent=root, body="Agreed!")
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Lovely idea" in html and "Agreed!" in html
    client.force_login(resident)
    response = client.post(reverse("debate:idea_comment", args=[idea.pk]), {"body": "Mine too"})
    assert response.status_code == 302
    assert response["Location"].startswith(idea.get_absolute_url())
    idea.refresh_from_db()
    assert idea.comment_count == 1  # factory rows bypass the counter; the service counts
    response = client.post(reverse("debate:idea_comment", args=[idea.pk]), {"body": ""})
    assert response.status_code == 400


def test_consultation_hub_shows_topics_and_figures(client, consultation):
    factories.TopicFactory(consultation=consultation, title="Tunnel talk")
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "Tunnel talk" in html and 'class="figures"' in html


def test_reply_form_inline_and_as_a_page(client, resident, topic):
    parent = CommentFactory(topic=topic, body="Answer me")
    url = reverse("debate:comment_reply", args=[parent.pk])
    assert client.get(url).status_code == 302  # log in first
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert "<html" in page and "Answer me" in page and 'name="parent"' in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and f'id="reply-body-{parent.pk}"' in fragment
    gone = CommentFactory(topic=topic, is_deleted=True, body="")
    assert client.get(reverse("debate:comment_reply", args=[gone.pk])).status_code == 404


def test_comment_text_is_escaped_in_threads(client, topic):
    CommentFactory(
        topic=topic,
        body="plain",
        author=factories.UserFactory(display_name="<b>Eve</b>", show_name_publicly=True),
    )
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve</b>" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "Deltag i debatten"), ("nb", "Delta i debatten"), ("en", "Join the debate")],
)
def test_topic_page_in_each_language(client, topic, language, expected):
    CommentFactory(topic=topic, stance="against")
    html = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in html
