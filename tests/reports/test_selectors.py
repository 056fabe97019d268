from datetime import timedelta

from django.utils import timezone

from debate.models import Comment
from ideas.models import IdeaStatus, Support
from reports.selectors import consultation_summary, data_version
from tests import factories


def test_key_figures_match_counts_made_by_hand(report_data):
    figures = consultation_summary(report_data.consultation, include_hidden_counts=True).figures
    expected = report_data.expected
    assert figures.ideas == expected["ideas"]
    assert figures.supports == expected["supports"]
    assert figures.comments == expected["comments"]
    assert figures.poll_answers == expected["poll_answers"]
    assert figures.poll_respondents == expected["poll_respondents"]
    assert figures.participants == expected["participants"]
    assert figures.hidden_ideas == expected["hidden_ideas"]
    assert figures.hidden_comments == expected["hidden_comments"]


def test_public_summary_has_no_hidden_counts(report_data):
    figures = consultation_summary(report_data.consultation, include_hidden_counts=False).figures
    assert figures.hidden_ideas is None and figures.hidden_comments is None


def test_ideas_by_category_and_status(report_data):
    summary = consultation_summary(report_data.consultation, include_hidden_counts=False)
    by_category = {bar.label: bar.value for bar in summary.by_category.bars}
    assert by_category == report_data.expected["by_category"]
    statuses = {
        value: count
        for (value, _label), count in zip(
            IdeaStatus.choices,
            [bar.value for bar in summary.by_status.bars],
            strict=True,
        )
        if count
    }
    assert statuses == report_data.expected["by_status"]


def test_participation_over_time_adds_up_to_the_totals(report_data):
    summary = consultation_summary(report_data.consultation, include_hidden_counts=False)
    rows = summary.timeline_rows
    assert len(rows) == 2  # yesterday and today
    assert sum(row["ideas"] for row in rows) == report_data.expected["ideas"]
    assert sum(row["supports"] for row in rows) == report_data.expected["supports"]
    assert sum(row["comments"] for row in rows) == report_data.expected["comments"]
    assert rows[0]["ideas"] == 1  # the trees, moved to yesterday
    series = {item.name: item.values for item in summary.over_time.series}
    assert series["Ideas"] == [row["ideas"] for row in rows]


def test_long_consultations_are_counted_per_week(report_data):
    idea = report_data.ideas["bench"]
    type(idea).objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=100))
    summary = consultation_summary(report_data.consultation, include_hidden_counts=False)
    assert 14 <= len(summary.timeline_rows) <= 16
    assert all(row["start"].weekday() == 0 for row in summary.timeline_rows)
    assert sum(row["ideas"] for row in summary.timeline_rows) == report_data.expected["ideas"]


def test_top_ideas_by_supports_with_answers_and_without_hidden(report_data):
    top = consultation_summary(report_data.consultation, include_hidden_counts=False).top_ideas
    assert [idea.title for idea in top] == [
        "Harbour bath",
        "Floating sauna",
        "More trees",
        "A quiet bench",
    ]
    assert top[0].answer == "We will build it in 2027."


def test_balance_of_arguments_and_best_argument_per_side(report_data):
    summary = consultation_summary(report_data.consultation, include_hidden_counts=False)
    balance = next(b for b in summary.topics if b.topic == report_data.topic)
    sides = {side["stance"]: side for side in balance.sides}
    # The hidden and the deleted argument do not count.
    assert (sides["for"]["count"], sides["against"]["count"], sides["neutral"]["count"]) == (
        2,
        1,
        1,
    )
    assert balance.total == 4
    assert sides["for"]["percent"] == 50
    assert sides["for"]["top"].body == "Bridges connect."
    assert sides["against"]["top"].body == "It blocks boats."  # not the hidden, better-scored one
    assert balance.poll is None


def test_poll_results(report_data):
    summary = consultation_summary(report_data.consultation, include_hidden_counts=False)
    poll = next(b for b in summary.topics if b.topic == report_data.poll_topic).poll
    assert poll["respondents"] == 4
    assert [(r["label"], r["count"], r["percent"]) for r in poll["results"]] == [
        ("Red", 3, 75),
        ("Blue", 1, 25),
    ]


def test_map_pins_are_the_public_ideas(report_data):
    summary = consultation_summary(report_data.consultation, include_hidden_counts=False)
    assert len(summary.map_pins) == report_data.expected["ideas"]


def test_summary_query_count_does_not_grow_with_content(report_data, django_assert_num_queries):
    consultation = report_data.consultation
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        consultation_summary(consultation, include_hidden_counts=True)
    topic = factories.TopicFactory(consultation=consultation, poll_question="More?")
    factories.PollOptionFactory(topic=topic)
    for _ in range(5):
        idea = factories.IdeaFactory(
            consultation=consultation, category=factories.CategoryFactory(consultation=consultation)
        )
        factories.SupportFactory(idea=idea)
    with django_assert_num_queries(len(small)):
        consultation_summary(consultation, include_hidden_counts=True)
    assert len(small) <= 20


def test_data_version_changes_with_the_data(report_data):
    consultation = report_data.consultation
    before = data_version(consultation)
    assert data_version(consultation) == before
    Support.objects.filter(idea=report_data.ideas["bath"]).first().delete()
    after_unsupport = data_version(consultation)
    assert after_unsupport != before
    Comment.objects.filter(body="Show drawings.").update(is_hidden=True)
    assert data_version(consultation) != after_unsupport
