"""Fault drills against the benchmark server (127.0.0.1 only), scripted.

    .venv/bin/python bench/faults.py [--only postgres,redis,worker] [--write]

1. PostgreSQL restarted during load (`pg_ctlcluster --skip-systemctl-redirect 15 main
   restart`): every answer must be a success or a clean 503 with Retry-After (no 500, no
   dropped connection), the site must answer again by itself, and the integrity check must hold
   (every confirmed support stored once, counters equal rows: nothing half-written).
2. Redis stopped (`redis-cli shutdown nosave`) during load, then started again: pages and
   supports keep being served with the cache bypassed; an export requested meanwhile is
   reported (queued for later, or how it fails).
3. A Celery worker's process killed (SIGKILL) in the middle of an export job: with acks_late
   and reject_on_worker_lost the task is delivered again, and the delivery takes the job over
   (same task id, reports.services.export_job_claim); the job must end done, by a second
   attempt, as one job with one file. Needs neither a restart of a shared service nor the load
   server, so `--only worker` runs it alone.

PostgreSQL and Redis are shared with other work on this machine: each outage lasts seconds, and
both are always started again, whatever happens. With --write the outcome replaces the "Fault
drills" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    bench_env,
    commit,
    load_average,
    replace_section,
    seeded_consultation,
    setup_django,
    stamp,
)
from bench.load import HOST, PORT, Server, prepare  # noqa: E402

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
]


class Traffic:
    """A few threads reading the consultation page and supporting ideas, logging every answer."""

    def __init__(self, data: dict, *, offset: int, threads: int = 8):
        # Each drill uses its own residents, so no support is refused as already given.
        self.offset = offset
        self.data = data
        self.threads = threads
        self.answers: list[tuple[float, str, object, float]] = []
        self.confirmed: list[tuple[int, int]] = []
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.started = 0.0

    def _one(self, index: int) -> None:
        rng = random.Random(self.offset + index)
        user_id, token = self.data["residents"][self.offset + index]
        ideas = rng.sample(self.data["idea_ids"], 2_000)
        while not self.stop_flag.is_set():
            if rng.random() < 0.5 and ideas:
                idea = ideas.pop()
                kind, method, path = "support", "POST", f"/api/v1/ideas/{idea}/support/"
                headers = {"Authorization": f"Token {token}"}
            else:
                kind, method, path, headers = "page", "GET", f"/{self.data['slug']}/", {}
            began = time.monotonic()
            try:
                connection = http.client.HTTPConnection(HOST, PORT, timeout=15)
                connection.request(method, path, headers=headers)
                response = connection.getresponse()
                response.read()
                status: object = response.status
                retry_after = response.getheader("Retry-After")
                connection.close()
            except OSError as error:
                status, retry_after = type(error).__name__, None
            with self.lock:
                self.answers.append((began - self.started, kind, status, time.monotonic() - began))
                if kind == "support" and status == 201:
                    self.confirmed.append((idea, user_id))
                if status == 503 and retry_after is None:
                    self.answers.append((began - self.started, kind, "503 without Retry-After", 0))
            time.sleep(0.05)

    def __enter__(self):
        self.started = time.monotonic()
        self.pool = [threading.Thread(target=self._one, args=(i,)) for i in range(self.threads)]
        for thread in self.pool:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for thread in self.pool:
            thread.join()

    def summary(self, fault_at: float, back_at: float) -> dict:
        statuses = Counter(str(status) for _t, _k, status, _d in self.answers)
        after = [(t, s) for t, _k, s, _d in self.answers if t >= back_at]
        first_ok = next((t for t, s in sorted(after) if s in (200, 201)), None)
        bad = {s: n for s, n in statuses.items() if s not in ("200", "201", "503")}
        return {
            "answers": dict(statuses),
            "unclean": bad,
            "first_success_after_service_back_s": (
                None if first_ok is None else round(first_ok - back_at, 2)
            ),
            "fault_at_s": round(fault_at, 2),
            "service_back_at_s": round(back_at, 2),
        }


def integrity(consultation, confirmed) -> str:
    from bench import integrity as checker

    report = checker.check(consultation, confirmed)
    return report.summary()


def drill_postgres(consultation, data) -> dict:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
    with Traffic(data, offset=1000) as traffic:
        time.sleep(5)
        fault_at = time.monotonic() - traffic.started
        restart = subprocess.run(command, capture_output=True, text=True)
        back_at = time.monotonic() - traffic.started
        time.sleep(10)
    from django.db import connection

    connection.close()  # ours died with the restart too
    result = traffic.summary(fault_at, back_at)
    result["restart"] = f"exit {restart.returncode} {restart.stderr.strip()[:200]}"
    result["integrity"] = integrity(consultation, traffic.confirmed)
    result["ok"] = (
        not result["unclean"]
        and result["first_success_after_service_back_s"] is not None
        and result["integrity"].startswith("ok")
    )
    return result


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).stdout.strip() == (
        "PONG"
    )


def start_redis() -> None:
    for _ in range(3):
        if redis_up():
            return
        subprocess.run(REDIS_START, check=False)
        time.sleep(1)


def request_export_while(data) -> str:
    """Ask for the XLSX export as a councillor (token) and say what came back."""
    from bench import generator
    from civic.models import User

    councillor, _ = User.objects.get_or_create(
        email="councillor@bench.invalid",
        defaults={"username": "councillor@bench.invalid", "role": "councillor"},
    )
    generator.ensure_tokens([councillor.pk])
    key = generator.user_tokens([councillor.pk])[councillor.pk]
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    began = time.monotonic()
    connection.request(
        "GET",
        f"/api/v1/consultations/{data['slug']}/exports/data.xlsx?variant=public",
        headers={"Authorization": f"Token {key}"},
    )
    response = connection.getresponse()
    body = response.read()[:300]
    return f"{response.status} after {time.monotonic() - began:.1f} s: {body!r}"


def drill_redis(consultation, data) -> dict:
    with Traffic(data, offset=2000) as traffic:
        time.sleep(4)
        fault_at = time.monotonic() - traffic.started
        try:
            subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, check=False)
            time.sleep(6)
            export = request_export_while(data)
        finally:
            start_redis()
        back_at = time.monotonic() - traffic.started
        time.sleep(4)
    result = traffic.summary(fault_at, back_at)
    during = Counter(
        str(s) for t, _k, s, _d in traffic.answers if fault_at + 0.5 <= t <= back_at - 0.5
    )
    result["answers_while_redis_down"] = dict(during)
    result["export_requested_while_redis_down"] = export
    result["redis_running_again"] = redis_up()
    result["integrity"] = integrity(consultation, traffic.confirmed)
    result["ok"] = (
        set(during) <= {"200", "201"}
        and bool(during)
        and result["integrity"].startswith("ok")
        and result["redis_running_again"]
    )
    return result


def drill_worker(consultation, work: Path) -> dict:
    """Kill the pool process of a real Celery worker while it builds an export."""
    from civic.models import User
    from reports.models import ExportJob
    from reports.services import export_request

    env = {**os.environ, **bench_env()}
    log = (work / "celery.log").open("ab")
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "civic",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    result: dict = {}
    try:
        time.sleep(6)
        councillor, _ = User.objects.get_or_create(
            email="councillor@bench.invalid",
            defaults={"username": "councillor@bench.invalid", "role": "councillor"},
        )
        # A fresh job, not one finished by an earlier drill.
        ExportJob.objects.filter(consultation=consultation).delete()
        job = export_request(
            consultation=consultation, name="data.xlsx", variant="public", user=councillor
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == ExportJob.Status.RUNNING:
                break
            time.sleep(0.2)
        result["status_when_killed"] = job.status
        time.sleep(1)
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        from django.utils import timezone

        killed_at = timezone.now()
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
        result["killed_pool_processes"] = len(children)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
                break
            time.sleep(1)
        result["final_status"] = job.status
        result["attempts"] = job.attempts
        result["seconds_from_kill_to_done"] = (
            round((job.finished_at - killed_at).total_seconds(), 1) if job.finished_at else None
        )
        result["jobs_for_this_file"] = ExportJob.objects.filter(
            consultation=consultation, name="data.xlsx"
        ).count()
        result["files_for_this_job"] = _files_of(job)
        text = (work / "celery.log").read_text(errors="replace")
        result["worker_lost_logged"] = "WorkerLostError" in text
        result["task_received_times"] = sum(
            1 for line in text.splitlines() if "run_export_job" in line and "received" in line
        )
        result["ok"] = (
            job.status == ExportJob.Status.DONE
            and job.attempts == 2
            and result["jobs_for_this_file"] == 1
            and result["files_for_this_job"] == 1
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return result


def _files_of(job) -> int:
    """Files stored under the job's folder: one, however many attempts it took."""
    storage = job.file.storage
    folder = os.path.dirname(job.file.field.generate_filename(job, "file"))
    try:
        return len(storage.listdir(folder)[1])
    except FileNotFoundError:
        return 0


def render(results: dict) -> str:
    lines = [
        f"{results['when']} · commit {results['commit']} · load average before: "
        f"{results['load']} · server as in Load (gunicorn 4x4 gthread, PostgreSQL, Redis); "
        "traffic: 8 threads, half consultation page, half supports (API tokens), "
        "~20 requests/s. Scripted in bench/faults.py.",
        "",
        "| drill | outcome | met |",
        "| --- | --- | --- |",
    ]
    for name, outcome in results["drills"].items():
        shown = {k: v for k, v in outcome.items() if k != "ok"}
        lines.append(f"| {name} | `{json.dumps(shown)}` | {'yes' if outcome['ok'] else 'NO'} |")
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="postgres,redis,worker")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    chosen = args.only.split(",")
    setup_django(with_redis=True)
    work = Path(tempfile.mkdtemp(prefix="civic-faults-"))
    results = {"when": stamp(), "commit": commit(), "load": load_average(), "drills": {}}
    if {"postgres", "redis"} & set(chosen):
        consultation, data_path = prepare(work)
        data = json.loads(data_path.read_text())
        server = Server(work / "gunicorn.log")
        server.start()
        try:
            if "postgres" in chosen:
                print("drill: PostgreSQL restart ...", flush=True)
                results["drills"]["PostgreSQL restarted during load"] = drill_postgres(
                    consultation, data
                )
            if "redis" in chosen:
                print("drill: Redis stopped ...", flush=True)
                results["drills"]["Redis stopped during load"] = drill_redis(consultation, data)
        finally:
            start_redis()
            subprocess.run(["pg_ctlcluster", "15", "main", "start"], capture_output=True)
            server.stop()
    else:
        # The worker drill alone needs the seeded consultation, not the load server.
        consultation = seeded_consultation()
    if "worker" in chosen:
        print("drill: Celery worker killed mid-job ...", flush=True)
        results["drills"]["Celery worker killed mid-export"] = drill_worker(consultation, work)
    print(json.dumps(results, indent=1), flush=True)
    if args.write:
        replace_section("Fault drills", render(results))
    return results


if __name__ == "__main__":
    main()
