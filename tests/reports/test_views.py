"""Who gets the summary and the exports, and how the API hands out files and jobs."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import ExportJob
from tests import factories


def summary_url(consultation):
    return reverse("reports:summary", args=[consultation.slug])


def api_url(consultation, name, variant=""):
    url = f"/api/v1/consultations/{consultation.slug}/exports/{name}"
    return f"{url}?variant={variant}" if variant else url


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the summary page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["councillor", "planner", "administrator"])
def test_staff_and_councillors_read_the_summary(client, report_data, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(summary_url(report_data.consultation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour bath" in html and "We will build it in 2027." in html
    assert "Hidden ideas" in html
    assert "Insulting idea" not in html
    assert "<svg" in html and "<desc" in html and "Data table" in html


def test_resident_gets_403_before_results_and_the_summary_after(client, report_data, resident):
    client.force_login(resident)
    assert client.get(summary_url(report_data.consultation)).status_code == 403
    consultation = report_data.consultation
    from django.utils import timezone

    consultation.results_published_at = timezone.now()
    consultation.save()
    response = client.get(summary_url(consultation))
    assert response.status_code == 200
    assert "Hidden ideas" not in response.content.decode()


def test_anonymous_is_sent_to_log_in_before_results(client, report_data):
    response = client.get(summary_url(report_data.consultation))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_public_reads_the_summary_once_results_are_published(client, results_published):
    response = client.get(summary_url(results_published))
    assert response.status_code == 200
    html = response.content.decode()
    for word in ("private.example", "Secretive Sørensen", "+45 12"):
        assert word not in html


def test_draft_consultations_are_not_found_for_the_public(client, resident):
    draft = factories.ConsultationFactory(status="draft")
    client.force_login(resident)
    assert client.get(summary_url(draft)).status_code == 404


def test_summary_page_query_count_is_bounded(
    client, report_data, councillor, django_assert_max_num_queries, settings
):
    settings.REPORTS_SUMMARY_CACHE_SECONDS = 0
    client.force_login(councillor)
    client.get(summary_url(report_data.consultation))
    for _ in range(5):
        factories.SupportFactory(idea=factories.IdeaFactory(consultation=report_data.consultation))
    with django_assert_max_num_queries(30):
        assert client.get(summary_url(report_data.consultation)).status_code == 200


def test_hub_links_to_the_summary_for_those_allowed(client, report_data, councillor, resident):
    url = report_data.consultation.get_absolute_url()
    link = summary_url(report_data.consultation)
    client.force_login(resident)
    assert link not in client.get(url).content.decode()
    client.force_login(councillor)
    html = client.get(url).content.decode()
    assert link in html and "Summary and exports" in html


# --- downloads and the API ----------------------------------------------------------------------


def test_councillor_downloads_the_pdf_from_the_page(client, report_data, councillor):
    client.force_login(councillor)
    response = client.get(
        reverse("reports:download", args=[report_data.consultation.slug, "summary.pdf"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body(response).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("summary.pdf", "application/pdf"),
        ("summary.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ideas.csv", "text/csv; charset=utf-8"),
        ("comments.csv", "text/csv; charset=utf-8"),
        ("ideas.geojson", "application/geo+json"),
    ],
)
def test_api_answers_each_file_with_type_and_name(
    client, report_data, councillor, name, content_type
):
    client.force_login(councillor)
    response = client.get(api_url(report_data.consultation, name))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    slug = report_data.consultation.slug
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-{name}"'
    assert body(response)


def test_resident_cannot_export_before_results(client, report_data, resident):
    client.force_login(resident)
    response = client.get(api_url(report_data.consultation, "data.xlsx"))
    assert response.status_code == 403
    assert "not published" in response.json()["detail"]
    client.logout()
    assert client.get(api_url(report_data.consultation, "data.xlsx")).status_code == 403


def test_public_gets_the_public_variant_only(client, results_published, resident):
    client.force_login(resident)
    assert client.get(api_url(results_published, "data.xlsx", "full")).status_code == 403
    response = client.get(api_url(results_published, "data.xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    header = next(workbook["Ideas"].values)
    assert "hidden" not in header
    assert ExportJob.objects.get().variant == "public"


def test_staff_may_ask_for_the_public_variant(client, report_data, councillor):
    client.force_login(councillor)
    response = client.get(api_url(report_data.consultation, "ideas.csv", "public"))
    assert "hidden" not in body(response).decode("utf-8-sig").splitlines()[0].split(",")


def test_bad_variant_is_a_400_and_unknown_file_a_404(client, report_data, councillor):
    client.force_login(councillor)
    response = client.get(api_url(report_data.consultation, "ideas.csv", "everything"))
    assert response.status_code == 400
    assert "variant" in response.json()
    assert client.get(api_url(report_data.consultation, "passwords.txt")).status_code == 404


def test_a_fresh_file_is_reused_and_a_change_makes_a_new_one(client, report_data, councillor):
    client.force_login(councillor)
    url = api_url(report_data.consultation, "ideas.csv")
    body(client.get(url))
    body(client.get(url))
    assert ExportJob.objects.count() == 1
    factories.SupportFactory(idea=report_data.ideas["bench"])
    body(client.get(url))
    assert ExportJob.objects.count() == 2


def test_big_consultations_export_in_the_background(
    client, report_data, councillor, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_INLINE_MAX_ROWS = 0
    client.force_login(councillor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(api_url(report_data.consultation, "data.xlsx"))
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response["Location"].endswith(f"/api/v1/export-jobs/{job.pk}/")
    status = client.get(response["Location"]).json()
    assert (status["status"], status["progress"], status["file"]) == ("queued", 0, None)
    # The worker (Celery, eager in tests) runs the job once the request's transaction commits.
    for callback in callbacks:
        callback()
    status = client.get(response["Location"]).json()
    assert status["status"] == "done" and status["progress"] == 100
    assert len(status["checksum"]) == 64
    download = client.get(status["file"])
    assert download.status_code == 200
    content = body(download)
    import hashlib

    assert hashlib.sha256(content).hexdigest() == status["checksum"]
    # Asking again now answers the finished file at once.
    assert client.get(api_url(report_data.consultation, "data.xlsx")).status_code == 200


def test_job_progress_page(
    client, report_data, councillor, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_INLINE_MAX_ROWS = 0
    client.force_login(councillor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(
            reverse("reports:download", args=[report_data.consultation.slug, "ideas.geojson"])
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert "<progress" in page.content.decode()
    for callback in callbacks:
        callback()
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' not in page
    assert reverse("reports:job-file", args=[ExportJob.objects.get().pk]) in page


def test_jobs_are_private_to_those_who_may_export_them(client, report_data, councillor, resident):
    client.force_login(councillor)
    body(client.get(api_url(report_data.consultation, "ideas.csv")))
    job = ExportJob.objects.get()
    client.force_login(resident)
    assert client.get(f"/api/v1/export-jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/export-jobs/{job.pk}/file").status_code == 404


def test_archive_only_for_a_closed_consultation_and_staff(
    client, report_data, councillor, resident
):
    client.force_login(councillor)
    assert client.get(api_url(report_data.consultation, "archive.zip")).status_code == 403
    report_data.consultation.status = "closed"
    report_data.consultation.save()
    response = client.get(api_url(report_data.consultation, "archive.zip"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert body(response)[:2] == b"PK"
    from django.utils import timezone

    report_data.consultation.results_published_at = timezone.now()
    report_data.consultation.save()
    client.force_login(resident)
    assert client.get(api_url(report_data.consultation, "archive.zip")).status_code == 403


def test_full_exports_are_audited(client, report_data, councillor):
    from civic.models import AuditEntry

    client.force_login(councillor)
    body(client.get(api_url(report_data.consultation, "data.xlsx")))
    entry = AuditEntry.objects.get(action="reports.export_full")
    assert entry.actor == councillor and entry.consultation_id == report_data.consultation.pk


def test_crowded_maps_come_as_the_cached_picture(client, report_data, councillor, monkeypatch):
    monkeypatch.setattr("reports.views.PDF_VECTOR_MAP_MAX_PINS", 2)
    client.force_login(councillor)
    html = client.get(summary_url(report_data.consultation)).content.decode()
    picture = reverse("maps:static-png", args=[report_data.consultation.slug])
    assert f'src="{picture}?width=1000&amp;height=560"' in html
    assert "4 public ideas, coloured by category." in html


def test_summary_is_cached_briefly(
    client, report_data, councillor, settings, django_assert_max_num_queries
):
    settings.REPORTS_SUMMARY_CACHE_SECONDS = 60
    client.force_login(councillor)
    client.get(summary_url(report_data.consultation))
    with django_assert_max_num_queries(8):
        client.get(summary_url(report_data.consultation))
    # A new idea forgets the summary (civic.changes); supports wait for the minute to pass.
    idea = factories.IdeaFactory(consultation=report_data.consultation, title="Brand new idea")
    assert "Brand new idea" in client.get(summary_url(report_data.consultation)).content.decode()
    factories.SupportFactory(idea=idea)
    with django_assert_max_num_queries(8):
        client.get(summary_url(report_data.consultation))


def test_a_lost_job_is_sent_again(
    client, report_data, councillor, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    settings.REPORTS_INLINE_MAX_ROWS = 0
    client.force_login(councillor)
    with django_capture_on_commit_callbacks(execute=False):
        first = client.get(api_url(report_data.consultation, "ideas.csv"))
        assert first.status_code == 202  # the broker lost the task: on_commit never runs
        assert client.get(api_url(report_data.consultation, "ideas.csv")).status_code == 202
    assert ExportJob.objects.count() == 1
    stale = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES + 1)
    ExportJob.objects.update(heartbeat_at=stale)
    # Asking again sends the same job to a worker (eager here), instead of waiting forever.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(api_url(report_data.consultation, "ideas.csv")).status_code == 202
    job = ExportJob.objects.get()
    assert job.status == "done" and job.attempts == 1


def test_purge_keeps_the_newest_file_of_each_export(client, report_data, councillor):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    client.force_login(councillor)
    body(client.get(api_url(report_data.consultation, "ideas.csv")))
    factories.SupportFactory(idea=report_data.ideas["bench"])
    body(client.get(api_url(report_data.consultation, "ideas.csv")))
    old, new = ExportJob.objects.order_by("id")
    ExportJob.objects.update(created_at=timezone.now() - timedelta(days=90))
    storage = old.file.storage
    assert storage.exists(old.file.name)
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "1 export jobs removed" in out.getvalue()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert not storage.exists(old.file.name)
