"""The social channels in the summary: reach, arrivals per channel and the social section, on
the page and in the briefings, checked against numbers counted by hand in conftest."""

import io
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from reports.documents import render_docx, render_pdf
from reports.models import Referral
from reports.selectors import consultation_summary, data_version
from tests import factories

from .conftest import social_post
from .test_exports import pdf_text


def summary_of(consultation):
    return consultation_summary(consultation, include_hidden_counts=True)


def test_key_figures_count_reach_and_arrivals(social_data):
    figures = summary_of(social_data.consultation).figures
    assert figures.social_reach == social_data.expected["reach"]
    assert figures.social_arrivals == social_data.expected["arrivals_social"]


def test_reach_is_not_available_rather_than_zero(report_data):
    consultation = report_data.consultation
    assert summary_of(consultation).figures.social_reach is None
    from social.models import Channel

    mastodon = Channel.objects.create(platform="mastodon", name="@town@social.example")
    social_post(consultation, mastodon, metrics={"reactions": 4})
    summary = summary_of(consultation)
    assert summary.figures.social_reach is None
    section = summary.sections[0]
    assert ("Reach", "not available") in section["rows"]
    assert ("Reactions", 4) in section["rows"]


def test_the_social_section_is_in_the_summary(social_data):
    (section,) = summary_of(social_data.consultation).sections
    assert section["title"] == "Social media" and section["slug"] == "social"
    rows = dict(section["rows"])
    assert rows["Published posts"] == social_data.expected["published_posts"]
    assert rows["Reach"] == 1200  # the reach metric alone: only Facebook reports it
    assert rows["Views"] == 800
    assert rows["Reactions"] == social_data.expected["reactions"]


def test_arrivals_by_channel(social_data):
    arrivals = summary_of(social_data.consultation).arrivals
    assert {row["label"]: row["visits"] for row in arrivals} == social_data.expected["arrivals"]
    assert [row["label"] for row in arrivals] == ["Facebook", "Embedded page", "X"]
    facebook = arrivals[0]
    assert facebook["percent"] == round(100 * 15 / 25)
    assert facebook["first"] == social_data.expected["first_day"]
    assert facebook["last"] == social_data.expected["last_day"]
    assert not next(row for row in arrivals if row["source"] == "embed")["social"]


def test_no_social_section_and_no_arrivals_without_data(report_data):
    summary = summary_of(report_data.consultation)
    assert summary.sections == [] and summary.arrivals == []
    assert summary.figures.social_arrivals == 0


def test_summary_queries_do_not_grow_with_posts_and_arrivals(
    social_data, django_assert_num_queries
):
    consultation = social_data.consultation
    with CaptureQueriesContext(connection) as small:
        summary_of(consultation)
    channel = social_data.posts["facebook"].channel
    for number in range(6):
        social_post(consultation, channel, metrics={"reach": number})
    for offset in range(1, 11):
        Referral.objects.create(
            consultation=consultation,
            source="bluesky",
            day=social_data.expected["first_day"] - timedelta(days=offset),
            visits=1,
        )
    with django_assert_num_queries(len(small)):
        summary = summary_of(consultation)
    assert summary.figures.social_reach == 2000 + sum(range(6))
    assert summary.figures.social_arrivals == social_data.expected["arrivals_social"] + 10
    assert len(small) <= 24


def test_summary_page_shows_the_social_figures(client, social_data, councillor, settings):
    settings.REPORTS_SUMMARY_CACHE_SECONDS = 0
    client.force_login(councillor)
    html = client.get(reverse("reports:summary", args=[social_data.consultation.slug]))
    html = html.content.decode()
    assert "<strong>2000</strong> Social reach" in html
    assert "<strong>18</strong> Arrivals from social media" in html
    assert 'id="arrivals"' in html and "Arrivals by channel" in html
    assert '<th scope="row">Embedded page</th><td>7</td>' in html
    assert 'href="#social"' in html and 'id="social"' in html


def test_summary_page_says_not_available(client, report_data, councillor):
    client.force_login(councillor)
    html = client.get(reverse("reports:summary", args=[report_data.consultation.slug]))
    html = html.content.decode()
    assert "<strong>not available</strong> Social reach" in html
    assert "No visitor has arrived from a social channel" in html


def test_pdf_briefing_has_the_social_figures(social_data):
    text = pdf_text(render_pdf(social_data.consultation, include_hidden_counts=True))
    assert "Social reach" in text and "2000" in text
    assert "Arrivals from social media" in text
    assert "Arrivals by channel" in text and "Embedded page" in text
    assert "Social media" in text and "Published posts" in text


def test_docx_briefing_has_the_social_tables(social_data):
    document = Document(
        io.BytesIO(render_docx(social_data.consultation, include_hidden_counts=True))
    )
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    figures = tables[0]
    assert ["Social reach", "2000"] in figures
    assert ["Arrivals from social media", "18"] in figures
    arrivals = next(table for table in tables if table[0] == ["Channel", "Visits", "Share"])
    assert arrivals[1:] == [
        ["Facebook", "15", "60 %"],
        ["Embedded page", "7", "28 %"],
        ["X", "3", "12 %"],
    ]
    social = next(table for table in tables if ["Published posts", "3"] in table)
    assert ["Reach", "1200"] in social
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Social media" in headings and "Arrivals by channel" in headings


def test_docx_says_not_available_for_reach(report_data):
    document = Document(
        io.BytesIO(render_docx(report_data.consultation, include_hidden_counts=False))
    )
    figures = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert ["Social reach", "not available"] in figures
    assert ["Arrivals from social media", "0"] in figures


def test_data_version_changes_with_arrivals_and_engagement(social_data):
    consultation = social_data.consultation
    before = data_version(consultation)
    Referral.objects.filter(consultation=consultation, source="x").update(visits=4)
    after_arrival = data_version(consultation)
    assert after_arrival != before
    post = social_data.posts["facebook"]
    post.metrics = {**post.metrics, "reach": 1300}
    post.save()
    after_engagement = data_version(consultation)
    assert after_engagement != after_arrival
    other = factories.ConsultationFactory()
    Referral.objects.create(consultation=other, source="x", day=post.published_at.date())
    assert data_version(consultation) == after_engagement
