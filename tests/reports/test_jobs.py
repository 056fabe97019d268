"""Export jobs survive a worker that dies mid-export: the redelivered task takes the job over,
a stale job is sent again, and two attempts never both write."""

import csv
import io
import os
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from civic.tasks import PERIODIC_COMMANDS
from reports import services
from reports.formats import FORMATS, ExportFormat
from reports.models import ExportJob
from reports.tasks import run_export_job
from tests import factories


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the export may catch it or clean up after it."""


@pytest.fixture
def job(report_data):
    return ExportJob.objects.create(
        consultation=report_data.consultation, name="ideas.csv", variant="public"
    )


@pytest.fixture
def dies_midway(monkeypatch):
    """The first build reports progress, then its worker is killed; later builds are real."""
    real = FORMATS["ideas.csv"]
    calls = {"n": 0}

    def build(ctx, path):
        calls["n"] += 1
        if calls["n"] == 1:
            with open(path, "w") as out:
                out.write("half a file")
            ctx.progress(40)
            raise WorkerKilled
        real.build(ctx, path)

    fake = ExportFormat(real.name, real.label, real.format, real.content_type, build)
    monkeypatch.setitem(FORMATS, "ideas.csv", fake)
    return calls


def files_of(job) -> list[str]:
    folder = os.path.join(settings.MEDIA_ROOT, "exports", str(job.consultation_id), str(job.pk))
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_a_redelivered_task_finishes_the_job_its_dead_worker_left(job, dies_midway):
    with pytest.raises(WorkerKilled):
        run_export_job.apply(args=(job.pk,), task_id="task-1")
    job.refresh_from_db()
    assert (job.status, job.progress, job.task_id, job.attempts) == ("running", 40, "task-1", 1)
    # The broker delivers the same task again once the worker is gone.
    run_export_job.apply(args=(job.pk,), task_id="task-1")
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == ("done", 100, 2)
    assert dies_midway["n"] == 2
    assert files_of(job) == [os.path.basename(job.file.name)]
    with job.file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert len(rows) == 4  # each public idea once: not doubled, not half
    # A third delivery (e.g. a duplicate message) leaves the finished job alone.
    run_export_job.apply(args=(job.pk,), task_id="task-1")
    job.refresh_from_db()
    assert job.attempts == 2 and files_of(job) == [os.path.basename(job.file.name)]


def test_another_task_leaves_a_job_that_is_alive_alone(job, dies_midway):
    with pytest.raises(WorkerKilled):
        run_export_job.apply(args=(job.pk,), task_id="task-1")
    run_export_job.apply(args=(job.pk,), task_id="task-2")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.task_id) == ("running", 1, "task-1")
    assert dies_midway["n"] == 1


def test_a_stale_job_is_taken_over_by_any_task(job, dies_midway, settings):
    with pytest.raises(WorkerKilled):
        run_export_job.apply(args=(job.pk,), task_id="task-1")
    stale = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES + 1)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    run_export_job.apply(args=(job.pk,), task_id="task-2")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.task_id) == ("done", 2, "task-2")


def test_an_attempt_that_was_taken_over_stops_without_writing(job, monkeypatch):
    real = FORMATS["ideas.csv"]

    def build(ctx, path):
        # Meanwhile the job was presumed dead and claimed by a newer attempt.
        ExportJob.objects.filter(pk=job.pk).update(attempts=2, task_id="task-2")
        ctx.progress(50)
        real.build(ctx, path)

    fake = ExportFormat(real.name, real.label, real.format, real.content_type, build)
    monkeypatch.setitem(FORMATS, "ideas.csv", fake)
    services.export_job_run(job_id=job.pk, task_id="task-1")
    job.refresh_from_db()
    assert (job.status, job.progress, job.task_id, job.file.name) == ("running", 0, "task-2", "")
    assert files_of(job) == []


def test_a_file_left_by_an_attempt_that_died_is_replaced(job):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    folder = f"exports/{job.consultation_id}/{job.pk}"
    default_storage.save(f"{folder}/{job.consultation.slug}-ideas.csv", ContentFile(b"old"))
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    assert files_of(job) == [os.path.basename(job.file.name)]
    with job.file.open("rb") as handle:
        assert handle.read() != b"old"


def test_a_job_that_keeps_killing_its_worker_fails_in_the_end(job, settings):
    stale = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES + 1)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=services.MAX_ATTEMPTS, task_id="task-1", heartbeat_at=stale
    )
    run_export_job.apply(args=(job.pk,), task_id="task-1")
    job.refresh_from_db()
    assert job.status == "failed" and "stopped 3 times" in job.error
    assert job.finished_at is not None


def test_the_sweep_sends_stale_jobs_again(report_data, settings):
    consultation = report_data.consultation
    stale = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES + 1)
    lost_in_queue = ExportJob.objects.create(
        consultation=consultation, name="ideas.csv", variant="public", heartbeat_at=stale
    )
    dead_worker = ExportJob.objects.create(
        consultation=consultation,
        name="comments.csv",
        variant="public",
        status="running",
        attempts=1,
        task_id="task-dead",
        heartbeat_at=stale,
    )
    alive = ExportJob.objects.create(
        consultation=consultation, name="ideas.geojson", variant="public", status="running"
    )
    out = io.StringIO()
    # Celery runs eagerly in tests: the jobs sent are made at once.
    call_command("requeue_stale_exports", stdout=out)
    assert out.getvalue().strip() == "2 stale export jobs sent again"
    for item in (lost_in_queue, dead_worker, alive):
        item.refresh_from_db()
    assert lost_in_queue.status == "done" and lost_in_queue.attempts == 1
    assert dead_worker.status == "done" and dead_worker.attempts == 2
    assert alive.status == "running" and alive.attempts == 0
    assert services.export_jobs_requeue_stale() == 0


def test_the_sweep_runs_from_beat():
    assert "requeue_stale_exports" in PERIODIC_COMMANDS
    entry = settings.CELERY_BEAT_SCHEDULE["requeue_stale_exports"]
    assert entry["schedule"] < settings.REPORTS_JOB_STALE_MINUTES * 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
)
@pytest.mark.parametrize("status", ["queued", "running"])
def test_of_simultaneous_claims_exactly_one_wins(status):
    """Deliveries of different tasks claim one job at the same moment (a queued job, or a
    running one whose worker went quiet): one attempt wins, the others leave it alone."""
    stale = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_STALE_MINUTES + 1)
    job = ExportJob.objects.create(
        consultation=factories.ConsultationFactory(),
        name="ideas.csv",
        variant="public",
        status=status,
        task_id="task-dead" if status == "running" else "",
        attempts=1 if status == "running" else 0,
        heartbeat_at=stale,
    )
    threads = 10
    barrier = threading.Barrier(threads)
    won, errors = [], []

    def claim(number):
        try:
            barrier.wait()
            attempt = services.export_job_claim(job_id=job.pk, task_id=f"task-{number}")
            if attempt is not None:
                won.append(attempt)
        except Exception as error:  # asserted in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=claim, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    job.refresh_from_db()
    assert len(won) == 1 and won[0] == job.attempts
    assert job.status == "running" and job.heartbeat_at > stale
