"""Exports speak the consultation's language, documents carry the municipality's metadata, the
summary says when its figures were counted, and a download link leads to the file even when the
export runs in the background."""

import io
import re
import zipfile
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook

from reports import services
from reports.exports import ExportContext
from reports.formats import build_bytes
from reports.models import ExportJob


@pytest.fixture
def norwegian(results_published):
    results_published.language = "nb"
    results_published.save()
    return results_published


def _file(job: ExportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("asker_language", ["da", "en"])
def test_an_export_is_written_in_the_consultations_language(norwegian, resident, asker_language):
    with translation.override(asker_language):
        job = services.export_for_download(
            consultation=norwegian, name="ideas.csv", variant="public", user=resident
        )
    text = _file(job).decode("utf-8")
    assert "Deltaker 1" in text
    assert "Deltager" not in text and "Participant" not in text


def test_a_background_export_is_written_in_the_consultations_language(norwegian, resident):
    job = services.export_request(
        consultation=norwegian, name="data.xlsx", variant="public", user=resident
    )
    with translation.override("da"):  # whatever the worker happens to speak
        services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    workbook = load_workbook(io.BytesIO(_file(job)), read_only=True)
    with translation.override("nb"):
        from django.utils.translation import gettext

        expected = gettext("Supports per idea")
    assert expected != "Supports per idea"
    assert expected in workbook.sheetnames


def test_the_archive_is_written_in_the_consultations_language(norwegian):
    norwegian.status = "closed"
    norwegian.save()
    with translation.override("da"):
        data = build_bytes(ExportContext(consultation=norwegian, variant="public"), "archive.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        ideas = archive.read("data/ideas.csv").decode("utf-8")
    assert "Deltaker 1" in ideas and "Deltager" not in ideas


def test_a_stored_file_is_not_reused_in_another_language(norwegian, resident):
    first = services.export_for_download(
        consultation=norwegian, name="ideas.csv", variant="public", user=resident
    )
    # The language changed without anything else changing (as a data fix would).
    type(norwegian).objects.filter(pk=norwegian.pk).update(language="da")
    norwegian.refresh_from_db()
    second = services.export_for_download(
        consultation=norwegian, name="ideas.csv", variant="public", user=resident
    )
    assert second.pk != first.pk
    assert "Deltager 1" in _file(second).decode("utf-8")


# --- documents ----------------------------------------------------------------------------------


def test_docx_properties_name_the_municipality_and_now(report_data):
    from civic import tenancy
    from civic.models import Municipality

    Municipality.objects.update(name="Canary Kommune")
    tenancy.forget()
    before = timezone.now() - timedelta(seconds=5)
    data = build_bytes(
        ExportContext(consultation=report_data.consultation, variant="full"), "summary.docx"
    )
    properties = Document(io.BytesIO(data)).core_properties
    assert properties.author == "Canary Kommune"
    assert properties.last_modified_by == "Canary Kommune"
    earliest = before.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    for moment in (properties.created, properties.modified):
        assert moment is not None and moment.replace(tzinfo=None) >= earliest
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.startswith("docProps/"):
                assert b"python-docx" not in package.read(name).lower(), name


def test_summary_says_when_its_figures_were_counted(client, report_data, councillor, settings):
    settings.REPORTS_SUMMARY_CACHE_SECONDS = 60
    client.force_login(councillor)
    url = reverse("reports:summary", args=[report_data.consultation.slug])
    first = client.get(url).context["generated_at"]
    later = timezone.now() + timedelta(minutes=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        second = client.get(url).context["generated_at"]
    assert second == first  # served from the cache: the figures are still those of `first`


# --- downloads from the summary page ------------------------------------------------------------


def _download_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*/download/[^"]*)"([^>]*)>', html)


def test_summary_links_do_not_save_a_progress_page_as_the_file(client, report_data, councillor):
    client.force_login(councillor)
    html = client.get(reverse("reports:summary", args=[report_data.consultation.slug])).content
    links = _download_links(html.decode())
    assert links
    # A `download` attribute makes the browser save whatever answers, the progress page too.
    assert all("download" not in attributes for _url, attributes in links)


def test_staff_choose_the_variant_and_the_public_does_not(
    client, results_published, councillor, resident
):
    url = reverse("reports:summary", args=[results_published.slug])
    client.force_login(councillor)
    hrefs = [href for href, _ in _download_links(client.get(url).content.decode())]
    assert any(href.endswith("variant=full") for href in hrefs)
    assert any(href.endswith("variant=public") for href in hrefs)
    client.force_login(resident)
    hrefs = [href for href, _ in _download_links(client.get(url).content.decode())]
    assert hrefs and not any("variant=full" in href for href in hrefs)
    # The server checks, whatever the page offers.
    download = reverse("reports:download", args=[results_published.slug, "ideas.csv"])
    assert client.get(download, {"variant": "full"}).status_code == 403


def test_a_background_download_leads_to_the_file(
    client, report_data, councillor, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_INLINE_MAX_ROWS = 0
    client.force_login(councillor)
    url = reverse("reports:download", args=[report_data.consultation.slug, "ideas.csv"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(url, {"variant": "public"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page["Content-Type"].startswith("text/html")
    assert "attachment" not in page.get("Content-Disposition", "")
    html = page.content.decode()
    # Without scripts the page reloads itself until the file is ready.
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', html)
    for callback in callbacks:
        callback()
    html = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in html
    job = ExportJob.objects.get()
    file_url = reverse("reports:job-file", args=[job.pk])
    assert file_url in html
    download = client.get(file_url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert download["Content-Disposition"].endswith('ideas.csv"')
