"""A councillor opens the summary from the consultation hub, reads it and downloads the PDF
briefing; the same journey in Danish shows the page in the site's language."""

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from debate.models import PollAnswer
from ideas.models import IdeaStatus, Support
from tests import factories
from tests.browser.conftest import a11y_check, login, visit
from tests.debate.factories import CommentFactory


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def consultation_with_content():
    consultation = factories.ConsultationFactory(title="Harbour baths", language="en")
    bathing = factories.CategoryFactory(consultation=consultation, name="Bathing")
    green = factories.CategoryFactory(consultation=consultation, name="Green", colour="#2f7d32")
    residents = [factories.UserFactory() for _ in range(6)]
    for index, (title, category) in enumerate(
        [("Harbour bath", bathing), ("Floating sauna", bathing), ("More trees", green)]
    ):
        idea = factories.IdeaFactory(
            consultation=consultation,
            title=title,
            category=category,
            author=residents[index],
            longitude=12.5935 + 0.002 * index,
            latitude=55.6790 + 0.001 * index,
            status=IdeaStatus.ACCEPTED if index == 0 else IdeaStatus.SUBMITTED,
            answer="We will build it." if index == 0 else "",
        )
        for person in residents[: 5 - index]:
            Support.objects.create(idea=idea, user=person, consultation=consultation)
        idea.support_count = 5 - index
        idea.save()
    topic = factories.TopicFactory(
        consultation=consultation, title="A bridge?", poll_question="Build a bridge?"
    )
    yes = factories.PollOptionFactory(topic=topic, label="Yes")
    factories.PollOptionFactory(topic=topic, label="No")
    CommentFactory(topic=topic, author=residents[0], stance="for", body="Bridges connect.")
    CommentFactory(topic=topic, author=residents[1], stance="against", body="It blocks boats.")
    PollAnswer.objects.create(topic=topic, option=yes, user=residents[2])
    return consultation


def test_councillor_reads_the_summary_and_downloads_the_pdf(page, live_server, transactional_db):
    consultation = consultation_with_content()
    councillor = factories.CouncillorFactory()
    login(page, live_server, councillor)

    visit(page, consultation.get_absolute_url(), "hub")
    # The hub's map loads its feed after "load"; let it finish before moving on, so no request
    # is still reading the test database when the export writes to it.
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.get_by_role("link", name="Summary and exports").click()
    visit(page, page.url, "summary")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Key figures").is_visible()
    assert page.locator("svg[role=img] title", has_text="Ideas by category").count() == 1
    # Every chart has its numbers as a table too.
    page.get_by_text("Data table: Ideas by category").click()
    assert page.get_by_role("row", name="Bathing 2").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Briefing").first.click()
    download = download_info.value
    assert download.suggested_filename == f"{consultation.slug}-summary.pdf"
    path = download.path()
    reader = PdfReader(str(path))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Harbour baths" in text and "We will build it." in text


def test_big_export_waits_on_the_job_page(
    page, live_server, transactional_db, settings, monkeypatch
):
    """Exports of big consultations go through a job whose page updates its status in place
    until the file is ready, then links it."""
    from reports.models import ExportJob
    from reports.services import export_job_run

    settings.REPORTS_INLINE_MAX_ROWS = 0
    # Hold the job back, as a busy worker would; the test runs it below.
    monkeypatch.setattr("reports.tasks.run_export_job.delay", lambda job_id: None)
    consultation = consultation_with_content()
    login(page, live_server, factories.PlannerFactory())
    visit(page, f"/reports/c/{consultation.slug}/download/data.xlsx", "job-queued")
    assert "/reports/jobs/" in page.url
    assert "being made" in page.get_by_role("status").inner_text()

    export_job_run(job_id=ExportJob.objects.get().pk)
    # htmx polls the status in place; the link appears without a reload.
    page.get_by_text("The file is ready.").wait_for(timeout=10_000)
    a11y_check(page, "job-done")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download {consultation.slug}-data.xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"{consultation.slug}-data.xlsx"
    with open(download.path(), "rb") as handle:
        workbook = load_workbook(handle, read_only=True)
        titles = [row[2] for row in list(workbook["Ideas"].values)[1:]]
    assert sorted(titles) == ["Floating sauna", "Harbour bath", "More trees"]


@pytest.mark.parametrize("browser_locale", ["da-DK"])
def test_summary_in_danish(page, live_server, transactional_db, browser_locale):
    consultation = consultation_with_content()
    login(page, live_server, factories.PlannerFactory())
    visit(page, f"/reports/c/{consultation.slug}/", "summary-da")
    assert page.get_by_role("heading", name="Nøgletal").is_visible()


@pytest.mark.parametrize("locale", ["en-GB", "da-DK", "nb-NO"])
def test_councillor_reads_the_social_media_figures(new_page, live_server, locale):
    from django.utils import timezone

    from reports.models import Referral
    from social.models import Channel, PostState, SocialPost

    consultation = factories.ConsultationFactory(slug=f"figures-{locale.lower()}")
    channel = Channel(platform="facebook", name="Københavns Kommune")
    channel.credentials = {"access_token": "t", "page_id": "1"}
    channel.save()
    for days_ago, reach in ((0, 1200), (8, 800), (15, 300)):
        SocialPost.objects.create(
            channel=channel,
            consultation=consultation,
            text="Harbour baths",
            state=PostState.PUBLISHED,
            remote_id=f"1_{days_ago}",
            published_at=timezone.now() - timezone.timedelta(days=days_ago),
            metrics={"reach": reach, "reactions": reach // 20, "comments": 4, "shares": 2},
        )
    Referral.objects.create(
        consultation=consultation, source="facebook", day=timezone.localdate(), visits=31
    )
    page = new_page(locale)
    login(page, live_server, factories.CouncillorFactory())
    visit(page, f"/reports/social/?consultation={consultation.slug}", f"social-figures-{locale}")
    assert "2300" in page.locator("dl.figures").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"social-figures-narrow-{locale}")
