"""Social outbox drills: every fault against every platform's fake, one remote post per approved
post.

    .venv/bin/python bench/social_drills.py [--write] [--only 503,kill9] [--platforms x,bluesky]

Each drill approves a post (with an image: Instagram needs one, X then ends the text with the
media's t.co link) on a fresh fake of the platform (the same servers `manage.py runfakes`
serves), breaks something, lets the outbox run until the post settles (a post that waits for a
person is released, as a planner would), and counts the posts the platform holds:

- 503: 503 Service Unavailable with Retry-After (the next attempt waits at least that long);
- 429: rate limited, with the platform's own wait (Retry-After or its reset header);
- timeout: the platform answers after the client gave up, and stores the post meanwhile;
- dropped answer: the platform stores the post and the connection closes without an answer;
- kill -9: the worker process is killed (SIGKILL) while its request is at the platform; a later
  worker takes the lapsed claim (needs a database other processes can open: a file or
  PostgreSQL);
- two workers: two workers run at once over three due posts;
- lease expiry: a worker stalls after claiming, its lease lapses, a second worker publishes, the
  first wakes and goes on;
- key expiry: the answer is lost and the retry comes 61 minutes later, after Mastodon forgot the
  idempotency key (the fake's clock is moved on).

The drill functions are also run by tests/social/test_outbox_drills.py. By itself the script
uses a throwaway SQLite file (DATABASE_URL overrides it); --write replaces the "Social outbox
drills" section of bench/RESULTS.md with the table.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLATFORMS = ("facebook", "instagram", "x", "mastodon", "bluesky")
# The request that creates the post on each platform (after any media upload).
PUBLISH_PATH = {
    "facebook": "/photos",
    "instagram": "/media_publish",
    "x": "/2/tweets",
    "mastodon": "/api/v1/statuses",
    "bluesky": "com.atproto.repo.createRecord",
}
# The client's timeout during the drills; the "slow" platform answers after 2.5 times it.
TIMEOUT = 1.0
SLOW = TIMEOUT * 2.5


@dataclass
class Outcome:
    approved: int = 0
    remote: int = 0
    published: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.remote == self.approved and self.published == self.approved

    def cell(self) -> str:
        shown = f"{self.remote}/{self.approved}"
        return shown if self.ok else f"**{shown} NO**"


@dataclass
class Stage:
    """A fresh fake of one platform, its channel and two planners."""

    platform: str
    fake: object
    channel: object
    author: object
    approver: object
    posts: list = field(default_factory=list)

    def approve(self, text: str):
        from django.core.files.base import ContentFile

        from social import services

        post = services.post_create(
            actor=self.author,
            channel=self.channel,
            text=text,
            image=ContentFile(_png(), name="drill.png"),
            alt_text="A blue rectangle",
        )
        post = services.post_approve(actor=self.approver, post=post)
        self.posts.append(post)
        return post

    def entry(self, post):
        from social.models import OutboxEntry

        return OutboxEntry.objects.get(post=post)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), "#336699").save(buffer, "PNG")
    return buffer.getvalue()


def _planner(email: str):
    from civic.models import Role, User

    user, _ = User.objects.get_or_create(
        email=email, defaults={"username": email, "role": Role.PLANNER}
    )
    return user


def stage(platform: str) -> Stage:
    from devsite.fakes import FAKES
    from social.adapters.bluesky import BlueskyAdapter
    from social.models import Channel

    BlueskyAdapter.forget_sessions()
    fake = FAKES[platform]().start()
    channel = Channel(platform=platform, name=f"Drill {platform}", base_url=fake.base_url)
    channel.credentials = fake.credentials()
    channel.save()
    return Stage(
        platform,
        fake,
        channel,
        _planner("drill-author@bench.invalid"),
        _planner("drill-approver@bench.invalid"),
    )


def settle(st: Stage, now, *, rounds: int = 8) -> None:
    """Run the outbox until every post of the stage is published or failed, moving the clock
    to the next due time; a post waiting for a person is released ("send again")."""
    from social import services
    from social.models import OutboxState
    from social.outbox import run_due

    for _ in range(rounds):
        run_due(now=now)
        entries = [st.entry(post) for post in st.posts]
        open_ = [e for e in entries if e.state not in (OutboxState.DONE, OutboxState.FAILED)]
        if not open_:
            return
        for entry in open_:
            if entry.state == OutboxState.NEEDS_CONFIRMATION:
                services.post_confirm(actor=st.approver, post=entry.post, resend=True)
        times = [e.stale_after if e.state == OutboxState.IN_FLIGHT else e.not_before for e in open_]
        now = max([now, *[t for t in times if t]]) + timedelta(seconds=1)


def count(st: Stage) -> Outcome:
    from social.models import PostState

    outcome = Outcome(approved=len(st.posts))
    with st.fake.lock:
        outcome.remote = len(st.fake.published())
    for post in st.posts:
        post.refresh_from_db()
        if post.state == PostState.PUBLISHED and post.remote_id:
            outcome.published += 1
        else:
            outcome.notes.append(f"{post.state}: {post.error[:120]}")
    remote_ids = {post.remote_id for post in st.posts if post.remote_id}
    if len(remote_ids) != outcome.published:
        outcome.notes.append("two posts recorded with the same remote id")
        outcome.published = len(remote_ids)
    return outcome


def _wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- The drills --------------------------------------------------------------------------------
def drill_503(st: Stage) -> Outcome:
    post = st.approve(f"Drill 503 on {st.platform}")
    now = _now()
    st.fake.script(
        "unavailable_seconds", method="POST", path=PUBLISH_PATH[st.platform], seconds=120
    )
    from social.outbox import run_due

    run_due(now=now)
    waited = (st.entry(post).not_before - now).total_seconds()
    settle(st, now)
    outcome = count(st)
    if waited < 120:
        outcome.notes.append(f"retried after {waited:.0f} s, before Retry-After (120 s)")
        outcome.published = 0
    return outcome


def drill_429(st: Stage) -> Outcome:
    post = st.approve(f"Drill 429 on {st.platform}")
    now = _now()
    st.fake.script("rate_limit", method="POST", path=PUBLISH_PATH[st.platform])
    from social.outbox import run_due

    report = run_due(now=now)
    outcome_wait = (st.entry(post).not_before - now).total_seconds()
    settle(st, now)
    outcome = count(st)
    if report.retrying != [post.pk] or outcome_wait <= 0:
        outcome.notes.append("a rate limit was not a wait")
        outcome.published = 0
    return outcome


def drill_timeout(st: Stage) -> Outcome:
    st.approve(f"Drill timeout on {st.platform}")
    now = _now()
    st.fake.script("slow", method="POST", path=PUBLISH_PATH[st.platform], seconds=SLOW)
    from social.outbox import run_due

    began = time.monotonic()
    run_due(now=now)
    # The platform stores the post after the client gave up.
    time.sleep(max(0.0, SLOW - (time.monotonic() - began)) + 0.3)
    settle(st, now + timedelta(seconds=1))
    return count(st)


def drill_dropped_answer(st: Stage) -> Outcome:
    st.approve(f"Drill dropped answer on {st.platform}")
    now = _now()
    st.fake.script("drop_after_commit", method="POST", path=PUBLISH_PATH[st.platform])
    settle(st, now)
    return count(st)


def drill_kill9(st: Stage) -> Outcome:
    from social.models import OutboxState

    post = st.approve(f"Drill kill -9 on {st.platform}")
    st.fake.script("slow", method="POST", path=PUBLISH_PATH[st.platform], seconds=SLOW)
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child-worker"],
        env=child_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    reached = _wait_until(lambda: bool(st.fake.requests_to("POST", PUBLISH_PATH[st.platform])), 60)
    os.kill(child.pid, signal.SIGKILL)
    _, errors = child.communicate(timeout=10)
    outcome = Outcome(approved=1)
    if not reached:
        outcome.notes.append("the worker never reached the platform: " + errors.decode()[-300:])
        return outcome
    # The platform finishes the request of the dead worker.
    _wait_until(lambda: bool(st.fake.published()), SLOW + 2)
    entry = st.entry(post)
    if entry.state != OutboxState.IN_FLIGHT:
        outcome.notes.append(f"entry {entry.state} after the kill, expected in flight")
    settle(st, entry.stale_after + timedelta(seconds=1))
    return count(st)


def drill_two_workers(st: Stage) -> Outcome:
    from django.db import connections

    from social.outbox import run_due

    for n in range(3):
        st.approve(f"Drill two workers on {st.platform}, post {n + 1}")
    now = _now()
    st.fake.script("slow", method="POST", path=PUBLISH_PATH[st.platform], seconds=0.3, times=3)
    barrier = threading.Barrier(2)
    problems: list[str] = []

    def worker():
        try:
            barrier.wait()
            for _ in range(4):
                run_due(now=now)
        except Exception as exc:  # noqa: BLE001 - a crashed worker is reported, not hidden
            problems.append(repr(exc)[:200])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    settle(st, now)
    outcome = count(st)
    outcome.notes += problems
    return outcome


def drill_lease_expiry(st: Stage) -> Outcome:
    from social.models import PostState
    from social.outbox import RunReport, claim_next, process, run_due

    post = st.approve(f"Drill lease expiry on {st.platform}")
    now = _now()
    stalled = claim_next(now)  # worker A claims, then stalls past its lease
    run_due(now=stalled.stale_after + timedelta(seconds=1))  # worker B takes over and publishes
    sent_by_b = len(st.fake.requests_to("POST", PUBLISH_PATH[st.platform]))
    process(stalled, RunReport(), now=now)  # A wakes up and carries on
    outcome = count(st)
    sent_by_a = len(st.fake.requests_to("POST", PUBLISH_PATH[st.platform])) - sent_by_b
    if sent_by_a:
        # Even where the platform refuses the repeat, a lapsed claim must not send at all.
        outcome.notes.append(f"the worker whose lease lapsed sent {sent_by_a} more request(s)")
        outcome.published = 0
    post.refresh_from_db()
    if post.state != PostState.PUBLISHED:
        outcome.notes.append(f"the late worker left the post {post.state}")
    return outcome


def drill_key_expiry(st: Stage) -> Outcome:
    st.approve(f"Drill key expiry on {st.platform}")
    now = _now()
    st.fake.script("drop_after_commit", method="POST", path=PUBLISH_PATH[st.platform])
    from social.outbox import run_due

    run_due(now=now)
    # The retry comes after the idempotency key expired (Mastodon keeps it for one hour).
    st.fake.advance(61 * 60)
    settle(st, now + timedelta(minutes=61))
    return count(st)


def _now():
    from django.utils import timezone

    return timezone.now()


DRILLS: dict[str, Callable[[Stage], Outcome]] = {
    "503 + Retry-After": drill_503,
    "429 + Retry-After": drill_429,
    "timeout": drill_timeout,
    "dropped answer": drill_dropped_answer,
    "kill -9": drill_kill9,
    "two workers": drill_two_workers,
    "lease expiry": drill_lease_expiry,
    "key expiry (61 min)": drill_key_expiry,
}
SHORT = {
    "503": "503 + Retry-After",
    "429": "429 + Retry-After",
    "timeout": "timeout",
    "dropped": "dropped answer",
    "kill9": "kill -9",
    "workers": "two workers",
    "lease": "lease expiry",
    "key": "key expiry (61 min)",
}


def run(name: str, platform: str) -> Outcome:
    from social.models import Channel

    st = stage(platform)
    try:
        return DRILLS[name](st)
    finally:
        st.fake.stop()
        # Whatever the drill left unsettled stays out of the next drills' way.
        Channel.objects.filter(pk=st.channel.pk).update(is_removed=True)


# --- A worker in its own process, for kill -9 ---------------------------------------------------
def shareable_database() -> bool:
    """Whether another process can open the database this one uses."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    return connection.vendor != "sqlite" or ("memory" not in name and name != "")


def child_environment() -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{credentials}@{host}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": settings.SECRET_KEY,
        "SOCIAL_HTTP_TIMEOUT_SECONDS": "30",
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "civic.settings"),
    }


def child_worker() -> None:
    """One run of the outbox, killed by the parent while its request is at the platform."""
    import django

    django.setup()
    from social.outbox import run_due

    run_due(limit=1)


# --- The table ---------------------------------------------------------------------------------
def render(results: dict[str, dict[str, Outcome]], header: str) -> str:
    lines = [
        header,
        "",
        "Remote posts per approved post after each drill (exactly one is met; "
        "bench/social_drills.py, also run as tests/social/test_outbox_drills.py):",
        "",
        "| drill | " + " | ".join(PLATFORMS) + " |",
        "| --- |" + " --- |" * len(PLATFORMS),
    ]
    for name, row in results.items():
        cells = [row[platform].cell() if platform in row else "–" for platform in PLATFORMS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    failing = [
        f"- {name} on {platform}: {'; '.join(outcome.notes)}"
        for name, row in results.items()
        for platform, outcome in row.items()
        if not outcome.ok
    ]
    if failing:
        lines += ["", "Not met:", *failing]
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SHORT))
    parser.add_argument("--platforms", default=",".join(PLATFORMS))
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_worker:
        child_worker()
        return {}
    work = Path(tempfile.mkdtemp(prefix="civic-social-drills-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'drills.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(work / "media"))
    os.environ["SOCIAL_HTTP_TIMEOUT_SECONDS"] = str(TIMEOUT)
    os.environ.setdefault("SOCIAL_OUTBOX_RETRY_BASE_SECONDS", "30")
    from bench.common import SECRET, commit, load_average, replace_section, stamp, start_django

    os.environ.setdefault("SECRET_KEY", SECRET)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civic.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if os.environ["DATABASE_URL"].startswith("postgres"):
        start_django(migrate=True)
    else:
        start_django(migrate=False)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    header = (
        f"{stamp()} · commit {commit()} · load average before: {load_average()} · "
        f"{os.cpu_count()} cores · fakes in-process (the servers of `manage.py runfakes`), "
        f"client timeout {TIMEOUT:.0f} s, database {os.environ['DATABASE_URL'].split(':')[0]}."
    )
    results: dict[str, dict[str, Outcome]] = {}
    for short in args.only.split(","):
        name = SHORT[short]
        results[name] = {}
        for platform in args.platforms.split(","):
            outcome = run(name, platform)
            results[name][platform] = outcome
            print(
                f"{name:22} {platform:10} {outcome.cell()} {'; '.join(outcome.notes)}", flush=True
            )
    table = render(results, header)
    print(table)
    if args.write:
        replace_section("Social outbox drills", table)
    return results


if __name__ == "__main__":
    main()
