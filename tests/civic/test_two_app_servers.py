"""Two app servers, each a gunicorn process with its own per-worker copies, on one database and
one Redis: a planner's answer posted through A shows on B's idea page within
PAGE_CACHE_LOCAL_SECONDS, and a support through A is counted on B at once. The application's
own rule, without any proxy in front (bench/multinode.py measures it behind nginx and Varnish).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
LOCAL_SECONDS = 1.0
POLL_SECONDS = 0.02

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two processes need one database; the suite's SQLite database lives in memory",
    ),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="two processes need one Redis (set REDIS_URL)"
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    d = connection.settings_dict
    password = f":{d['PASSWORD']}" if d.get("PASSWORD") else ""
    return f"postgres://{d['USER']}{password}@{d['HOST']}:{d['PORT'] or 5432}/{d['NAME']}"


def _start(port: int, log: Path) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "PAGE_CACHE_SECONDS": "30",
        "PAGE_CACHE_LOCAL_SECONDS": str(LOCAL_SECONDS),
        "HTTP_CACHE_PURGE_URLS": "",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "civic.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=gthread",
            "--threads=2",
            "--graceful-timeout=2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _get(url: str, **kwargs) -> bytes:
    request = urllib.request.Request(url, **kwargs)  # noqa: S310 - the servers started here
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return answer.read()


def _wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            _get(f"{base}/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start: {log.read_text()[-3000:]}")


@pytest.fixture
def two_servers(tmp_path):
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    processes = [_start(port, log) for port, log in zip(ports, logs, strict=True)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process, log in zip(bases, processes, logs, strict=True):
            _wait_healthy(base, process, log)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _first_showing(url: str, marker: bytes, since: float, limit: float) -> float | None:
    """Seconds after `since` at which the first request that showed `marker` was sent."""
    while time.monotonic() - since < limit:
        sent = time.monotonic()
        if marker in _get(url):
            return sent - since
        time.sleep(POLL_SECONDS)
    return None


def test_a_planners_answer_through_one_server_shows_on_the_other_within_the_delay(two_servers):
    node_a, node_b = two_servers
    planner = factories.PlannerFactory()
    idea = factories.IdeaFactory(title="Shade at the harbour bath")
    idea.consultation.planners.add(planner)
    key = factories.api_key_for(planner)
    page = node_b + idea.get_absolute_url()
    for _ in range(4):  # B's workers, and Redis, hold the page now
        assert b"Shade at the harbour bath" in _get(page)
    marker = "Answered on server A, read on server B"
    _get(
        f"{node_a}/api/v1/ideas/{idea.pk}/status/",
        data=json.dumps({"status": "under_review", "answer": marker}).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    answered = time.monotonic()
    delay = _first_showing(page, marker.encode(), answered, limit=35)
    # Without the shared versions B would keep its copy for PAGE_CACHE_SECONDS (30 s).
    assert delay is not None and delay <= LOCAL_SECONDS + POLL_SECONDS, delay


def test_a_support_through_one_server_is_counted_on_the_other_at_once(two_servers):
    node_a, node_b = two_servers
    idea = factories.IdeaFactory()
    resident = factories.UserFactory()
    key = factories.api_key_for(resident)
    url = f"/api/v1/ideas/{idea.pk}/"
    before = json.loads(_get(node_b + url))["support_count"]
    _get(
        f"{node_a}{url}support/",
        data=b"",
        headers={"Authorization": f"Token {key}"},
    )
    assert json.loads(_get(node_b + url))["support_count"] == before + 1
