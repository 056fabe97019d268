"""Load test: gunicorn + PostgreSQL + Redis on this machine, driven by locust (headless).

    .venv/bin/python bench/load.py [--seconds 60] [--quick] [--write]

Seeds the `bench` consultation once (10,000 ideas, 100,000 supports, 20,000 comments) in the
database civic_bench, starts gunicorn with DEBUG off and ROOT_URLCONF=bench.urls (the site plus
a trivial view) on 127.0.0.1 only, and runs:

1. support storm, 100 residents pausing ~1 s between supports (latency at that load);
2. support storm at saturation (100 residents, no pause) and the same against the trivial
   view, for the throughput ratio; then the same writes as raw psycopg inserts, and every
   statement a support sends (token, idea, block, row, counter, audit entry) through raw
   psycopg, the database's ceiling for a support;
3. the consultation page alone (anonymous, as the readers of a shared post open it), then the
   reading crowd (consultation page, whole-area map feed, idea pages picked at random among all
   10,000), each paced and saturated, and the trivial view read at saturation;
4. mixed: supporters, readers and commenters together, paced.

In paced runs each simulated person's first request comes at a random moment within one pause
(bench/locustfile.py, `arrive`), as people following a post arrive independently.

Before each recorded run the supports and comments of earlier runs are removed and the
consultation page is opened once, unrecorded (the removal replaced its cached copy, which a
running site would have). After each run the integrity check (bench/integrity.py) compares
the supports and comments the server confirmed with the database and every counter with its
rows. The gunicorn workers' resident memory is read from /proc after the runs. With --write the
figures replace the "Load" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    bench_env,
    commit,
    load_average,
    machine,
    replace_section,
    seeded_consultation,
    setup_django,
    stamp,
)

HOST = "127.0.0.1"
# Another benchmark on the same machine may hold the default port: BENCH_PORT moves it.
PORT = int(os.environ.get("BENCH_PORT", "8765"))
# gunicorn's shape (gthread); BENCH_WORKERS and BENCH_THREADS try another one.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
STORM_RESIDENTS = 4_000
COMMENTERS = 200


# --- data ------------------------------------------------------------------------------------


def prepare(work: Path) -> tuple[object, Path]:
    """Seed once, give the storm its own residents (none of their supports left from earlier
    runs), and write what the locust users need."""
    from bench import generator
    from consultations.models import Topic
    from debate.models import Comment
    from ideas.models import Idea

    consultation = seeded_consultation()
    storm = generator.seed_users(STORM_RESIDENTS, seed=42, prefix="storm")
    reset_storm(consultation, storm)
    residents = generator.user_tokens(storm)
    commenters_ids = generator.seed_users(COMMENTERS, seed=42, prefix="resident")
    commenters = generator.user_tokens(commenters_ids)
    ideas = list(
        Idea.objects.filter(consultation=consultation).published().values_list("pk", "reference")
    )
    topics = list(Topic.objects.filter(consultation=consultation).values_list("pk", flat=True))
    parents = {
        str(topic): list(
            Comment.objects.filter(topic_id=topic, depth__lt=6, is_deleted=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000]
        )
        for topic in topics
    }
    data = {
        "slug": consultation.slug,
        "residents": [[pk, residents[pk]] for pk in storm],
        "commenters": [[pk, commenters[pk]] for pk in commenters_ids],
        "idea_ids": [pk for pk, _ref in ideas],
        "idea_references": [ref for _pk, ref in ideas],
        "topic_ids": topics,
        "comment_parents": parents,
    }
    path = work / "data.json"
    path.write_text(json.dumps(data))
    return consultation, path


def reset_storm(consultation, storm_ids) -> None:
    """Remove supports and comments that earlier load runs added, and recount."""
    from bench import generator
    from debate.models import Comment
    from ideas.models import Support

    Support.objects.filter(consultation=consultation, user_id__in=storm_ids).delete()
    Comment.objects.filter(consultation=consultation, body__startswith="Load test comment").delete()
    generator.recount(consultation)


def warm_consultation_page(consultation, base: str = f"http://{HOST}:{PORT}") -> None:
    # (the base is the benchmark's own http address, never taken from outside)
    with urllib.request.urlopen(f"{base}/{consultation.slug}/", timeout=30) as r:  # noqa: S310
        r.read()


# --- server ----------------------------------------------------------------------------------


class Server:
    """gunicorn serving the site with bench.urls; `port`, `workers` and `env` (added to the
    benchmark's environment) let bench/multinode.py run several side by side."""

    def __init__(
        self,
        log: Path,
        *,
        port: int = PORT,
        workers: int = WORKERS,
        env: dict[str, str] | None = None,
    ):
        self.log = log
        self.port = port
        self.workers = workers
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = {**os.environ, **bench_env(), "ROOT_URLCONF": "bench.urls", **self.extra_env}
        # Let Python keep compiled modules: each start then skips compiling the code base.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def collectstatic(self) -> None:
        if not Path(bench_env()["STATIC_ROOT"], "staticfiles.json").exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                cwd=ROOT,
                env=self.environment(),
                check=True,
            )

    def start(self) -> None:
        self.collectstatic()
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "civic.wsgi",
            "--config=python:bench.gunicorn_conf",
            f"--bind={HOST}:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=gthread",
            f"--threads={THREADS}",
            "--backlog=2048",
            "--timeout=60",
            "--graceful-timeout=5",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not become healthy; see {self.log}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_rss_mib(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- load generator -------------------------------------------------------------------------


def run_locust(
    work: Path,
    data: Path,
    name: str,
    classes: list[str],
    *,
    users: int,
    seconds: int,
    think: float,
    weights: dict[str, int] | None = None,
    host: str = f"http://{HOST}:{PORT}",
) -> dict:
    prefix = work / name.replace(" ", "_")
    log = work / f"{prefix.name}.log.jsonl"
    log.write_text("")
    env = {
        **os.environ,
        "BENCH_DATA": str(data),
        "BENCH_LOG": str(log),
        "BENCH_THINK_SECONDS": str(think),
    }
    for cls, weight in (weights or {}).items():
        env[f"BENCH_WEIGHT_{cls.upper()}"] = str(weight)
    load_before = load_average()
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            f"--host={host}",
            f"--users={users}",
            f"--spawn-rate={users}",
            f"--run-time={seconds}s",
            f"--csv={prefix}",
            "--only-summary",
            "--stop-timeout=5",
            "--exit-code-on-error=0",
            "--loglevel=WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=(work / f"{prefix.name}.locust.txt").open("w"),
    )
    rows = {}
    with open(f"{prefix}_stats.csv") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    failures = []
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with failures_csv.open() as handle:
            failures = [
                f"{r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}"
                for r in csv.DictReader(handle)
            ]
    return {
        "name": name,
        "users": users,
        "seconds": seconds,
        "think": think,
        "load": load_before,
        "rows": rows,
        "failures": failures,
        "log": str(log),
    }


def confirmed(log: str) -> tuple[list[tuple[int, int]], list[int]]:
    supports, comments = [], []
    for line in Path(log).read_text().splitlines():
        entry = json.loads(line)
        if "support" in entry:
            supports.append(tuple(entry["support"]))
        else:
            comments.append(entry["comment"])
    return supports, comments


def check_integrity(consultation, result: dict) -> str:
    from bench import integrity
    from debate.models import Comment

    supports, comments = confirmed(result["log"])
    report = integrity.check(consultation, supports)
    stored = Comment.objects.filter(pk__in=comments).count()
    summary = report.summary()
    report_ok = report.ok
    if comments:
        lost = len(set(comments)) - stored
        doubled = len(comments) - len(set(comments))
        summary += f"; comments confirmed {len(comments)}, lost {lost}, doubled {doubled}"
        report_ok = report_ok and not (lost or doubled)
    result["integrity_ok"] = report_ok
    result["integrity"] = summary
    return summary


# --- raw psycopg ceiling for writes ----------------------------------------------------------


# What a support sent to the database until the support went into one statement: the token with
# its person, the idea, the person's block, the row, the counter and the audit entry, in one
# transaction. The support path's targets are set against this ceiling.
SUPPORT_STATEMENTS = [
    # The person's role is read where the consultation's municipality keeps it (a membership).
    "SELECT t.id, t.owner_id, t.last_used_at, u.id, u.password, u.email, u.is_active,"
    " (SELECT m.role FROM civic_membership m WHERE m.user_id = u.id AND m.municipality_id ="
    " (SELECT municipality_id FROM consultations_consultation WHERE id = %(consultation)s))"
    " FROM civic_apitoken t JOIN civic_user u ON u.id = t.owner_id"
    " WHERE t.digest = %(digest)s AND t.revoked_at IS NULL LIMIT 1",
    "SELECT id, consultation_id, author_id, publication, is_hidden, reference, title"
    " FROM ideas_idea WHERE id = %(idea)s",
    "SELECT id FROM moderation_block WHERE user_id = %(user)s AND lifted_at IS NULL"
    " AND (until IS NULL OR until > now())"
    " AND (consultation_id IS NULL OR consultation_id = %(consultation)s)"
    " ORDER BY until DESC LIMIT 1",
    "INSERT INTO ideas_support (idea_id, user_id, consultation_id, created_at)"
    " VALUES (%(idea)s, %(user)s, %(consultation)s, now()) ON CONFLICT DO NOTHING"
    " RETURNING id",
    "UPDATE ideas_idea SET support_count = support_count + 1 WHERE id = %(idea)s"
    " RETURNING support_count",
    "INSERT INTO civic_auditentry (actor_id, actor_label, action, content_type_id,"
    " object_id, object_repr, consultation_id, reason, changes, created_at)"
    " VALUES (%(user)s, 'bench', 'idea.support', NULL, %(idea)s, 'bench',"
    " %(consultation)s, '', '{}', now())",
]
WRITE_STATEMENTS = SUPPORT_STATEMENTS[3:5]


def one_statement_support():
    """What a support sends now on PostgreSQL when its worker kept the token and the
    consultation (tests/ideas/test_support_queries.py counts them): the idea, then one statement
    (block, row, counter, audit entry; ideas.services._support_in_one_statement), each its own
    transaction. Returns the statements and a function adding their parameters to a row's."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from civic.audit import insert_values
    from civic.models import AuditEntry
    from consultations.models import Consultation
    from ideas import services
    from ideas.models import Idea

    content_type = ContentType.objects.get_for_model(Idea)
    # The statement reads the blocks that apply in the consultation's municipality.
    municipality_of = dict(Consultation._base_manager.values_list("pk", "municipality_id"))
    columns, _values = insert_values(AuditEntry(action="idea.support"), connection)
    statement = services._one_statement_sql(columns, limited=False)

    def parameters(values: dict) -> dict:
        entry = AuditEntry(
            actor_id=values["user"],
            actor_label="bench",
            action="idea.support",
            content_type_id=content_type.pk,
            object_id=str(values["idea"]),
            object_repr="bench",
            consultation_id=values["consultation"],
        )
        _columns, audit = insert_values(entry, connection)
        return {
            **values,
            "now": entry.created_at,
            "limit": None,
            "municipality": municipality_of[values["consultation"]],
            **{f"audit_{i}": value for i, value in enumerate(audit)},
        }

    return [SUPPORT_STATEMENTS[1], statement], parameters


def raw_support_inserts(
    consultation,
    seconds: float,
    threads: int = WORKERS * THREADS,
    statements=WRITE_STATEMENTS,
    *,
    parameters=None,
    one_transaction: bool = True,
) -> dict:
    """Supports straight through psycopg from `threads` connections, one transaction each: the
    database's own ceiling. With WRITE_STATEMENTS (the default) only the storm's two writes
    (the row and the counter); with SUPPORT_STATEMENTS everything a support sent before it went
    into one statement; with `one_statement_support()` what it sends now (`parameters` adds the
    statement's own, and each statement is its own transaction: `one_transaction` False)."""
    import psycopg

    from bench import generator

    url = os.environ["DATABASE_URL"]
    users = generator.seed_users(threads * 50, seed=42, prefix="raw")
    tokens = generator.user_tokens(users)
    from civic.api_tokens import digest_of

    digests = {user: digest_of(key) for user, key in tokens.items()}
    from ideas.models import Idea, Support

    Support.objects.filter(consultation=consultation, user_id__in=users).delete()
    generator.recount(consultation)
    ideas = list(Idea.objects.filter(consultation=consultation).values_list("pk", flat=True))
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        mine = users[index * 50 : (index + 1) * 50]
        pairs = ((idea, user) for user in mine for idea in ideas)
        with psycopg.connect(
            url, prepare_threshold=0, autocommit=not one_transaction
        ) as connection:
            while time.monotonic() < stop:
                idea, user = next(pairs)
                values = {
                    "idea": idea,
                    "user": user,
                    "digest": digests[user],
                    "consultation": consultation.pk,
                }
                if parameters is not None:
                    values = parameters(values)
                if one_transaction:
                    with connection.transaction():
                        send(connection, values)
                else:
                    send(connection, values)
                counts[index] += 1

    def send(connection, values) -> None:
        for sql in statements:
            cursor = connection.execute(sql, values)
            if cursor.description is not None:
                cursor.fetchall()

    load_before = load_average()
    started = time.monotonic()
    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    Support.objects.filter(consultation=consultation, user_id__in=users).delete()
    from civic.models import AuditEntry

    AuditEntry.objects.filter(actor_label="bench").delete()
    generator.recount(consultation)
    return {"rps": sum(counts) / elapsed, "rows": sum(counts), "load": load_before}


# --- orchestration ---------------------------------------------------------------------------


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the paced runs")
    parser.add_argument("--quick", action="store_true", help="10 s runs, for trying it out")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument(
        "--support-only",
        action="store_true",
        help="only the support storm (paced and saturated), the trivial POST and the raw "
        "ceilings, for comparing changes to the support path (never written)",
    )
    parser.add_argument(
        "--reading-only",
        action="store_true",
        help="only the reading crowd and the trivial GET at saturation, alternating twice, for "
        "comparing changes to the reading path (never written)",
    )
    args = parser.parse_args(argv)
    if args.write and (args.support_only or args.reading_only):
        parser.error("--write records the whole load test; leave out --support-only")
    paced = 10 if args.quick else args.seconds
    saturated = 10 if args.quick else 30

    setup_django()
    work = Path(tempfile.mkdtemp(prefix="civic-load-"))
    consultation, data = prepare(work)
    storm_ids = [pk for pk, _token in json.loads(data.read_text())["residents"]]
    server = Server(work / "gunicorn.log")
    server.start()
    results: dict = {"runs": [], "work": str(work)}
    try:
        # Unrecorded warm-up: connections, caches and every worker's first requests.
        print("warm-up (15 s, not recorded) ...", flush=True)
        run_locust(
            work,
            data,
            "warm-up",
            ["Supporter", "Reader", "Commenter", "TrivialReader"],
            users=40,
            seconds=15,
            think=0,
        )
        plan = [
            ("support storm, paced", ["Supporter"], paced, 1.0, None),
            ("support storm, saturated", ["Supporter"], saturated, 0, None),
            ("trivial view, POST, saturated", ["TrivialWriter"], saturated, 0, None),
            ("trivial API view, POST, saturated", ["TrivialApiWriter"], saturated, 0, None),
            ("consultation page crowd, paced", ["HubReader"], paced, 1.0, None),
            ("consultation page crowd, saturated", ["HubReader"], saturated, 0, None),
            ("reading crowd, paced", ["Reader"], paced, 1.0, None),
            ("reading crowd, saturated", ["Reader"], saturated, 0, None),
            ("trivial view, GET, saturated", ["TrivialReader"], saturated, 0, None),
            (
                "mixed: supporters, readers, commenters, paced",
                ["Supporter", "Reader", "Commenter"],
                paced,
                1.0,
                {"Supporter": 9, "Reader": 9, "Commenter": 2},
            ),
        ]
        if args.support_only:
            plan = plan[:4]
        if args.reading_only:
            pair = [plan[7], plan[8]]
            plan = pair + pair
        for name, classes, seconds, think, weights in plan:
            # Each run starts from the seeded data, so its residents support ideas anew.
            reset_storm(consultation, storm_ids)
            # The reset replaced the cached consultation page; a running site has it cached
            # already (its last visitor left it there), so one unrecorded visit puts it back.
            warm_consultation_page(consultation)
            print(f"run: {name} ({seconds} s) ...", flush=True)
            result = run_locust(
                work, data, name, classes, users=100, seconds=seconds, think=think, weights=weights
            )
            if "trivial" not in name:
                check_integrity(consultation, result)
            results["runs"].append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "log"}), flush=True)
        if args.reading_only:
            return results
        print("raw psycopg inserts ...", flush=True)
        results["raw"] = raw_support_inserts(consultation, seconds=10 if args.quick else 20)
        print("raw psycopg, a support's whole transaction ...", flush=True)
        results["raw_support"] = raw_support_inserts(
            consultation, seconds=10 if args.quick else 20, statements=SUPPORT_STATEMENTS
        )
        print("raw psycopg, what a support sends now ...", flush=True)
        statements, parameters = one_statement_support()
        results["raw_support_now"] = raw_support_inserts(
            consultation,
            seconds=10 if args.quick else 20,
            statements=statements,
            parameters=parameters,
            one_transaction=False,
        )
        results["rss_mib"] = server.worker_rss_mib()
    finally:
        server.stop()
    results["when"], results["commit"], results["machine"] = stamp(), commit(), machine()
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(
        json.dumps(
            {
                "raw": results["raw"],
                "raw_support": results["raw_support"],
                "raw_support_now": results["raw_support_now"],
                "rss_mib": results["rss_mib"],
            }
        ),
        flush=True,
    )
    if args.write:
        replace_section("Load", render(results))
    return results


def aggregate(run: dict) -> dict:
    return run["rows"]["Aggregated"]


def render(results: dict) -> str:
    runs = {run["name"]: run for run in results["runs"]}

    def rps(name):
        return aggregate(runs[name])["rps"]

    storm_ratio = rps("support storm, saturated") / rps("trivial view, POST, saturated")
    read_ratio = rps("reading crowd, saturated") / rps("trivial view, GET, saturated")
    hub_ratio = rps("consultation page crowd, saturated") / rps("trivial view, GET, saturated")
    raw_ratio = rps("support storm, saturated") / results["raw"]["rps"]
    support_raw_ratio = rps("support storm, saturated") / results["raw_support"]["rps"]
    now_ratio = rps("support storm, saturated") / results["raw_support_now"]["rps"]
    api_runs = "trivial API view, POST, saturated" in runs
    api_ratio = (
        rps("support storm, saturated") / rps("trivial API view, POST, saturated")
        if api_runs
        else None
    )
    lines = [
        f"{results['when']} · commit {results['commit']} · {results['machine']} · "
        f"gunicorn {WORKERS} workers x {THREADS} threads (gthread), DEBUG off, Redis cache; "
        "locust (FastHttpUser) on the same machine, 100 concurrent simulated people. "
        "Data: the `bench` consultation, 10,000 ideas, 100,000 supports, 20,000 comments "
        "(`manage.py seed_bench`). Paced runs: each person pauses 0.5-1.5 s between requests "
        "and sends the first at a random moment within the first pause; "
        "saturated runs: no pause (the server's throughput). Latencies in ms as locust "
        "measures them (rounded to two significant digits above 100 ms).",
        "",
        "| run | request | requests | req/s | p50 | p95 | p99 | errors | load avg before | "
        "integrity |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in results["runs"]:
        first = True
        for name, row in run["rows"].items():
            if name == "Aggregated" and len(run["rows"]) == 2:
                continue
            integrity = run.get("integrity", "-") if first else ""
            first = False
            error_rate = 100 * row["failures"] / row["requests"] if row["requests"] else 0
            lines.append(
                f"| {run['name']} | {name} | {row['requests']} | {row['rps']:.0f} | "
                f"{row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} | "
                f"{row['failures']} ({error_rate:.2f} %) | {run['load']} | "
                f"{integrity} |"
            )
    rss = results["rss_mib"]
    storm_paced = aggregate(runs["support storm, paced"])
    read_paced = aggregate(runs["reading crowd, paced"])
    hub_paced = aggregate(runs["consultation page crowd, paced"])
    lost_free = all(run.get("integrity_ok", True) for run in results["runs"])
    lines += [
        "",
        f"Raw psycopg inserts (same writes: insert a support + counter update, one transaction, "
        f"{WORKERS * THREADS} connections): {results['raw']['rps']:.0f} per second "
        f"(load {results['raw']['load']}). Raw psycopg with every statement a support sends "
        f"(token, idea, block, row, counter, audit entry; one transaction each): "
        f"{results['raw_support']['rps']:.0f} per second (load {results['raw_support']['load']}); "
        f"the support storm reached {support_raw_ratio:.0%} of that. Raw psycopg with what a "
        f"support sends now (the idea, then one statement for block, row, counter and audit "
        f"entry, each its own transaction): {results['raw_support_now']['rps']:.0f} per second "
        f"(load {results['raw_support_now']['load']}); the storm reached {now_ratio:.0%} of that.",
        "",
        "| target | figure | met |",
        "| --- | --- | --- |",
        f"| support storm p99 < 50 ms at 100 concurrent (paced) | {storm_paced['p99']:.0f} ms | "
        f"{'yes' if storm_paced['p99'] < 50 else 'NO'} |",
        f"| support storm >= 50 % of the raw-SQL ceiling for a whole support (saturated) | "
        f"{support_raw_ratio:.0%} ({rps('support storm, saturated'):.0f} / "
        f"{results['raw_support']['rps']:.0f} per s) | "
        f"{'yes' if support_raw_ratio >= 0.5 else 'NO'} |",
        f"| support storm >= 40 % of trivial POST (saturated) | {storm_ratio:.0%} | "
        f"{'yes' if storm_ratio >= 0.4 else 'NO'} |",
        f"| support storm throughput >= 50 % of trivial POST (saturated) | {storm_ratio:.0%} "
        f"({rps('support storm, saturated'):.0f} / {rps('trivial view, POST, saturated'):.0f} "
        f"req/s); {raw_ratio:.0%} of raw psycopg inserts | "
        f"{'yes' if storm_ratio >= 0.5 else 'NO'} |",
        *(
            [
                f"| for comparison: support storm / the trivial API POST (DRF with a token, no "
                f"work; the floor of any API write) | {api_ratio:.0%} "
                f"({rps('support storm, saturated'):.0f} / "
                f"{rps('trivial API view, POST, saturated'):.0f} req/s) | - |"
            ]
            if api_runs
            else []
        ),
        f"| zero lost or doubled supports, counters equal rows | "
        f"{'none lost or doubled' if lost_free else 'PROBLEMS (see table)'} | "
        f"{'yes' if lost_free else 'NO'} |",
        f"| consultation page (10,000 ideas) >= 60 % of trivial GET (saturated) | "
        f"{hub_ratio:.0%} ({rps('consultation page crowd, saturated'):.0f} / "
        f"{rps('trivial view, GET, saturated'):.0f} req/s) | "
        f"{'yes' if hub_ratio >= 0.6 else 'NO'} |",
        f"| consultation page p99 < 150 ms (paced) | {hub_paced['p99']:.0f} ms | "
        f"{'yes' if hub_paced['p99'] < 150 else 'NO'} |",
        f"| beyond the target: whole reading crowd (with idea pages at random) >= 60 % of "
        f"trivial GET (saturated) | {read_ratio:.0%} ({rps('reading crowd, saturated'):.0f} / "
        f"{rps('trivial view, GET, saturated'):.0f} req/s) | "
        f"{'yes' if read_ratio >= 0.6 else 'NO'} |",
        f"| beyond the target: whole reading crowd p99 < 150 ms (paced) | "
        f"{read_paced['p99']:.0f} ms | "
        f"{'yes' if read_paced['p99'] < 150 else 'NO'} |",
        f"| gunicorn worker memory < 200 MB after the runs | "
        f"{', '.join(f'{m:.0f}' for m in rss)} MiB | "
        f"{'yes' if rss and max(rss) < 200 else 'NO'} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
