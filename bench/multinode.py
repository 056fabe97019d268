"""More than one machine: two app servers behind nginx and Varnish, PgBouncer, measured.

    .venv/bin/python bench/multinode.py [--quick] [--write] [--trials N]

Needs the Debian packages nginx, varnish and pgbouncer (their binaries only: nothing is started
as a system service; each runs here on a free port with its configuration generated into a
temporary folder) and PostgreSQL and Redis as for bench/load.py.

The stack, all on 127.0.0.1:

    locust -> Varnish (docs/varnish.vcl) -> nginx -> gunicorn A | gunicorn B
    gunicorn A, B and the Celery worker -> PgBouncer -> PostgreSQL; -> Redis (cache, broker)
    Celery worker (the ban jobs) -> Varnish's ban address

A and B are separate gunicorn processes (each worker with its own local copies: pages for
PAGE_CACHE_LOCAL_SECONDS, hub sections, API tokens, rules), both on the same Redis database and,
through PgBouncer in transaction mode, the same PostgreSQL database (DB_TRANSACTION_POOLING=1).

Scenarios:

1. Propagation: a planner's official answer to an idea is posted through A; B's idea page and
   Varnish's are polled until they show it. The delay after A's answer is measured over N
   trials (max and median) and held against what README.md promises (B within
   PAGE_CACHE_LOCAL_SECONDS, Varnish within HTTP_CACHE_BAN_REPEAT_SECONDS plus a second for the
   ban job). A support through A is read back through B's API at once (no cache on that read).
2. Load: the single node of bench/load.py (one gunicorn, 4 workers x 4 threads, straight to
   PostgreSQL) and then the two nodes (2 workers x 4 threads each: the same number of threads
   on the same two cores) behind Varnish: support storm and reading crowd saturated, each
   beside the trivial POST and GET through the same path in the same run, with the integrity
   check of bench/load.py after every storm. The reading crowd also goes through nginx without
   Varnish, to tell the app servers' share from Varnish's.

The gunicorn workers' resident memory is read after the runs; PgBouncer's pools show how many
server connections served the clients. With --write the figures replace the "More than one
machine (issue 19)" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load  # noqa: E402 - the path above makes bench importable
from bench.common import (  # noqa: E402
    ROOT,
    bench_env,
    commit,
    load_average,
    machine,
    replace_section,
    setup_django,
    stamp,
)

SECTION = "More than one machine (issue 19)"
HOST = "127.0.0.1"
PACKAGES = {"nginx": "nginx", "varnishd": "varnish", "pgbouncer": "pgbouncer"}
NODE_WORKERS = 2  # per app server; two of them have the single node's 4 workers
POOL_SIZE = 20  # PgBouncer's server connections for the database
POLL_SECONDS = 0.02  # between two looks for a change; the delays are known to within this
VCL = ROOT / "docs" / "varnish.vcl"


def missing_packages() -> list[str]:
    """The Debian packages whose programs are not installed."""
    return [package for program, package in PACKAGES.items() if not find_program(program)]


def find_program(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port}")


# --- the processes ---------------------------------------------------------------------------


class Process:
    """A program run in the foreground in its own session, stopped with SIGTERM."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None):
        self.name = name
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_pgbouncer(work: Path, database: str) -> tuple[Process, int]:
    """PgBouncer in transaction mode for `database`; runs as the postgres account (it refuses
    to run as root), so its folder belongs to that account."""
    port = free_port()
    folder = work / "pgbouncer"
    folder.mkdir()
    (folder / "userlist.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{database} = host=127.0.0.1 port=5432 dbname={database} user=postgres

[pgbouncer]
listen_addr = {HOST}
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {POOL_SIZE}
max_client_conn = 1000
server_reset_query =
ignore_startup_parameters = extra_float_digits
admin_users = postgres
stats_users = postgres
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
    )
    command = [find_program("pgbouncer"), str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for child in folder.iterdir():
            shutil.chown(child, "postgres")
        command[1:1] = ["-u", "postgres"]
    process = Process("pgbouncer", command, work / "pgbouncer.out")
    wait_for_port(port, "PgBouncer")
    return process, port


def start_nginx(work: Path, upstreams: list[int]) -> tuple[Process, int]:
    port = free_port()
    folder = work / "nginx"
    folder.mkdir()
    servers = "\n".join(f"        server {HOST}:{p} max_fails=0;" for p in upstreams)
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"""worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temp}
    upstream civic_web {{
{servers}
        keepalive 64;
        # Below gunicorn's keep-alive (2 s): otherwise gunicorn may close an idle connection
        # just as nginx sends a request on it, and a POST, which nginx never retries, gets 502.
        keepalive_timeout 1s;
    }}
    server {{
        listen {HOST}:{port} backlog=2048;
        location / {{
            proxy_pass http://civic_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""
    )
    # nginx started as root runs its worker as nobody, which writes the temporary files here.
    os.chmod(folder, 0o777)  # noqa: S103 - a throw-away folder of this benchmark
    process = Process(
        "nginx",
        [find_program("nginx"), "-p", str(folder), "-c", str(folder / "nginx.conf")],
        work / "nginx.out",
    )
    wait_for_port(port, "nginx")
    return process, port


def vcl_for(backend_port: int) -> str:
    """docs/varnish.vcl with the backend this stack uses."""
    text = VCL.read_text()
    text = text.replace('.port = "8000";', f'.port = "{backend_port}";')
    assert f'.port = "{backend_port}";' in text, "docs/varnish.vcl has no backend port to set"
    return text


def check_vcl(path: Path) -> None:
    compiled = subprocess.run(
        [find_program("varnishd"), "-C", "-f", str(path)], capture_output=True, text=True
    )
    if compiled.returncode != 0:
        raise RuntimeError(f"varnishd -C refused {path}: {compiled.stderr[-2000:]}")


def start_varnish(work: Path, backend_port: int) -> tuple[Process, int, int]:
    """Varnish with docs/varnish.vcl: the "http" address for visitors, "ban" for the bans."""
    http_port, ban_port = free_port(), free_port()
    folder = work / "varnish"
    folder.mkdir()
    vcl = folder / "default.vcl"
    vcl.write_text(vcl_for(backend_port))
    # varnishd compiles and loads the VCL as its own unprivileged account.
    os.chmod(folder, 0o755)  # noqa: S103 - a throw-away folder of this benchmark
    check_vcl(vcl)
    process = Process(
        "varnish",
        [
            find_program("varnishd"),
            "-F",
            "-n",
            str(folder / "state"),
            "-a",
            f"http={HOST}:{http_port}",
            "-a",
            f"ban={HOST}:{ban_port}",
            "-f",
            str(vcl),
            "-s",
            "malloc,256m",
            "-p",
            "thread_pool_min=200",
            "-p",
            "thread_pool_max=1000",
        ],
        work / "varnish.out",
    )
    wait_for_port(http_port, "Varnish")
    return process, http_port, ban_port


def node_env(database_url: str, purge_url: str, broker: str) -> dict[str, str]:
    """What every app server and the Celery worker share besides bench_env()."""
    return {
        "DATABASE_URL": database_url,
        "DB_TRANSACTION_POOLING": "1",
        "HTTP_CACHE_PURGE_URLS": purge_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # nginx and Varnish in front: the per-address limits count the address they saw.
        "TRUSTED_PROXY_COUNT": "2",
    }


def start_celery(work: Path, env: dict[str, str]) -> Process:
    """The Celery worker for the ban jobs, once it answers a ping (the trials must not measure
    its start)."""
    hostname = f"multinode-{os.getpid()}@{socket.gethostname()}"
    process = Process(
        "celery",
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "civic",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--loglevel=WARNING",
            f"--hostname={hostname}",
        ],
        work / "celery.log",
        env={**os.environ, **bench_env(), **env},
    )
    from celery import Celery

    control = Celery("multinode", broker=env["CELERY_BROKER_URL"]).control
    deadline = time.monotonic() + 90
    while not control.ping(destination=[hostname], timeout=1.0):
        if time.monotonic() > deadline or process.process.poll() is not None:
            process.stop()
            raise RuntimeError(f"the Celery worker did not start; see {work / 'celery.log'}")
    return process


class Stack:
    """Everything of the two-node set-up, stopped in reverse order."""

    def __init__(self, work: Path, database_url: str):
        self.work = work
        self.database_url = database_url
        self.parts: list = []

    def start(self) -> Stack:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Stack:
        database = self.database_url.rsplit("/", 1)[1]
        pgbouncer, pgbouncer_port = start_pgbouncer(self.work, database)
        self.parts.append(pgbouncer)
        self.pgbouncer_port = pgbouncer_port
        pooled_url = f"postgres://postgres@{HOST}:{pgbouncer_port}/{database}"
        ports = [free_port(), free_port()]
        nginx, nginx_port = start_nginx(self.work, ports)
        self.parts.append(nginx)
        varnish, http_port, ban_port = start_varnish(self.work, nginx_port)
        self.parts.append(varnish)
        self.varnish_state = self.work / "varnish" / "state"
        env = node_env(pooled_url, f"http://{HOST}:{ban_port}/", bench_env()["REDIS_URL"])
        self.nodes = []
        for name, port in zip("AB", ports, strict=True):
            server = load.Server(
                self.work / f"gunicorn-{name}.log", port=port, workers=NODE_WORKERS, env=env
            )
            server.start()
            self.parts.append(server)
            self.nodes.append(server)
        self.parts.append(start_celery(self.work, env))
        self.nginx = f"http://{HOST}:{nginx_port}"
        self.varnish = f"http://{HOST}:{http_port}"
        self.node_urls = [f"http://{HOST}:{port}" for port in ports]
        return self

    def stop(self) -> None:
        for part in reversed(self.parts):
            part.stop()

    def varnish_counters(self) -> dict[str, int]:
        """Varnish's hits, misses and passes so far (varnishstat)."""
        names = ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.s_pass", "MAIN.cache_hitmiss")
        command = [shutil.which("varnishstat") or "varnishstat", "-n", str(self.varnish_state)]
        command += ["-1", "-j", *(arg for name in names for arg in ("-f", name))]
        answer = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if answer.returncode != 0:
            return {}
        counters = json.loads(answer.stdout)
        counters = counters.get("counters", counters)  # the layout of varnishstat 6.5 and later
        return {name.split(".")[1]: counters.get(name, {}).get("value", 0) for name in names}

    def pools(self) -> dict:
        """PgBouncer's view: client connections, server connections in use and idle."""
        import psycopg

        url = f"postgres://postgres@{HOST}:{self.pgbouncer_port}/pgbouncer"
        with psycopg.connect(url, autocommit=True, prepare_threshold=None) as connection:
            cursor = connection.cursor()
            cursor.execute("SHOW POOLS")
            names = [column.name for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        database = self.database_url.rsplit("/", 1)[1]
        return next((row for row in rows if row["database"] == database), {})


# --- propagation -----------------------------------------------------------------------------


def fetch(url: str, *, data: bytes | None = None, headers: dict | None = None) -> bytes:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our own stack
        return answer.read()


def planner_token(consultation) -> str:
    """A planner of the bench consultation with an API token (seeded once)."""
    from bench import generator
    from civic.memberships import membership_set
    from civic.models import Role, User

    (planner,) = generator.seed_users(1, seed=42, prefix="planner")
    membership_set(
        User.objects.get(pk=planner),
        role=Role.PLANNER,
        municipality_id=consultation.municipality_id,
    )
    consultation.planners.add(planner)
    return generator.user_tokens([planner])[planner]


def wait_until(url: str, marker: bytes, started: float, limit: float) -> float | None:
    """Seconds after `started` at which the first request that showed `marker` on `url` was
    sent (polled every POLL_SECONDS), or None. The sending moment, not the answer's: a slow
    answer on a busy machine is not a later propagation."""
    while time.monotonic() - started < limit:
        sent = time.monotonic()
        try:
            if marker in fetch(url):
                return sent - started
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(POLL_SECONDS)
    return None


def propagation(stack: Stack, consultation, trials: int) -> dict:
    """A planner's answer posted through A, polled on B and through Varnish."""
    from django.conf import settings

    from ideas.models import Idea

    token = planner_token(consultation)
    idea = (
        Idea.objects.filter(consultation=consultation, is_hidden=False)
        .published()
        .order_by("pk")
        .first()
    )
    page = idea.get_absolute_url()
    node_a, node_b = stack.node_urls
    limit = settings.HTTP_CACHE_S_MAXAGE + 10  # long enough to see a copy kept past a ban
    delays_b, delays_varnish, writes = [], [], []
    first = None
    # One trial more than asked: the first after the stack started is the Celery worker's first
    # ban job (its imports and connection to Varnish), which a running site's worker has long
    # done; it is reported apart, not hidden.
    for trial in range(trials + 1):
        # Both caches hold the page: B's workers, Redis and Varnish (a second visit is a hit).
        for _ in range(3):
            fetch(node_b + page)
            fetch(stack.varnish + page)
        marker = f"Answer {uuid.uuid4().hex[:12]}"
        body = json.dumps({"status": "under_review", "answer": marker}).encode()
        sent = time.monotonic()
        fetch(
            f"{node_a}/api/v1/ideas/{idea.pk}/status/",
            data=body,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        answered = time.monotonic()
        writes.append(answered - sent)
        seen: dict[str, float | None] = {}

        def poll(name: str, url: str, seen=seen, marker=marker, answered=answered) -> None:
            seen[name] = wait_until(url, marker.encode(), answered, limit)

        pollers = [
            threading.Thread(target=poll, args=("B", node_b + page)),
            threading.Thread(target=poll, args=("varnish", stack.varnish + page)),
        ]
        for thread in pollers:
            thread.start()
        for thread in pollers:
            thread.join()
        print(f"propagation trial {trial}: {seen}", flush=True)
        if trial == 0:
            first = dict(seen)
            continue
        delays_b.append(seen["B"])
        delays_varnish.append(seen["varnish"])
    support = support_read_back(stack, consultation)
    return {
        "trials": trials,
        "first": first,
        "b": delays_b,
        "varnish": delays_varnish,
        "write_seconds": writes,
        "support": support,
        # Promised in README.md ("Scaling past one machine"); a look every POLL_SECONDS can
        # only see a change that much after it happened.
        "promise_b": settings.PAGE_CACHE_LOCAL_SECONDS + POLL_SECONDS,
        "promise_varnish": settings.HTTP_CACHE_BAN_REPEAT_SECONDS + 1.0 + POLL_SECONDS,
    }


def support_read_back(stack: Stack, consultation) -> dict:
    """A support through A, read back through B's API at once (that read is not cached)."""
    from bench import generator
    from ideas.models import Idea, Support

    (resident,) = generator.seed_users(1, seed=42, prefix="propagation")
    token = generator.user_tokens([resident])[resident]
    Support.objects.filter(user_id=resident).delete()
    generator.recount(consultation)
    idea = Idea.objects.filter(consultation=consultation).published().order_by("-pk").first()
    node_a, node_b = stack.node_urls
    before = json.loads(fetch(f"{node_b}/api/v1/ideas/{idea.pk}/"))["support_count"]
    fetch(
        f"{node_a}/api/v1/ideas/{idea.pk}/support/",
        data=b"",
        headers={"Authorization": f"Token {token}"},
    )
    after = json.loads(fetch(f"{node_b}/api/v1/ideas/{idea.pk}/"))["support_count"]
    Support.objects.filter(user_id=resident).delete()
    generator.recount(consultation)
    return {"before": before, "after_on_b": after}


# --- load ------------------------------------------------------------------------------------


def run(work, data, consultation, storm_ids, name, classes, seconds, host, *, think=0.0):
    load.reset_storm(consultation, storm_ids)
    load.warm_consultation_page(consultation, host)
    print(f"run: {name} ({seconds} s) ...", flush=True)
    result = load.run_locust(
        work, data, name, classes, users=100, seconds=seconds, think=think, host=host
    )
    if "Supporter" in classes:
        load.check_integrity(consultation, result)
    row = load.aggregate(result)
    print(
        f"  {row['rps']:.0f} req/s, p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, "
        f"{row['failures']} errors, {result.get('integrity', '')}",
        flush=True,
    )
    return result


def single_node(work, data, consultation, storm_ids, seconds) -> dict:
    """bench/load.py's server (4 x 4, straight to PostgreSQL), in this run."""
    server = load.Server(work / "gunicorn-single.log")
    server.start()
    host = f"http://{load.HOST}:{load.PORT}"
    runs = []
    try:
        load.run_locust(
            work, data, "single warm-up", ["Supporter", "Reader"], users=40, seconds=10,
            think=0, host=host,
        )  # fmt: skip
        for name, classes in (
            ("single node: support storm, saturated", ["Supporter"]),
            ("single node: trivial POST, saturated", ["TrivialWriter"]),
            ("single node: reading crowd, saturated", ["Reader"]),
            ("single node: trivial GET, saturated", ["TrivialReader"]),
        ):
            runs.append(run(work, data, consultation, storm_ids, name, classes, seconds, host))
        rss = server.worker_rss_mib()
    finally:
        server.stop()
    return {"runs": runs, "rss_mib": rss}


def two_nodes(work, data, consultation, storm_ids, stack: Stack, seconds, paced) -> dict:
    runs = []
    load.run_locust(
        work, data, "two-node warm-up", ["Supporter", "Reader"], users=40, seconds=10, think=0,
        host=stack.varnish,
    )  # fmt: skip
    plan = [
        ("two nodes via Varnish: support storm, saturated", ["Supporter"], stack.varnish, 0),
        ("two nodes via Varnish: trivial POST, saturated", ["TrivialWriter"], stack.varnish, 0),
        ("two nodes via Varnish: reading crowd, saturated", ["Reader"], stack.varnish, 0),
        ("two nodes via Varnish: trivial GET, saturated", ["TrivialReader"], stack.varnish, 0),
        ("two nodes via nginx: reading crowd, saturated", ["Reader"], stack.nginx, 0),
        ("two nodes via nginx: trivial GET, saturated", ["TrivialReader"], stack.nginx, 0),
        ("two nodes via Varnish: support storm, paced", ["Supporter"], stack.varnish, 1.0),
    ]
    for name, classes, host, think in plan:
        length = paced if think else seconds
        before = stack.varnish_counters()
        result = run(work, data, consultation, storm_ids, name, classes, length, host, think=think)
        after = stack.varnish_counters()
        if host == stack.varnish and before and after:
            result["varnish"] = {key: after[key] - before.get(key, 0) for key in after}
        runs.append(result)
    return {
        "runs": runs,
        "rss_mib": {
            name: node.worker_rss_mib() for name, node in zip("AB", stack.nodes, strict=True)
        },
        "pools": stack.pools(),
    }


# --- report ----------------------------------------------------------------------------------


def rps(results: dict, name: str) -> float:
    for part in ("single", "multi"):
        for result in results[part]["runs"]:
            if result["name"] == name:
                return load.aggregate(result)["rps"]
    raise KeyError(name)


def within(delays: list[float | None], promise: float) -> bool:
    return all(d is not None and d <= promise for d in delays)


def seconds_list(delays: list[float | None]) -> str:
    return ", ".join("never" if d is None else f"{d:.2f}" for d in delays)


def varnish_share(result: dict) -> str:
    counts = result.get("varnish")
    if not counts:
        return "-"
    # Varnish counts a request for an answer it knows it may not keep (hit-for-miss) as both
    # a hitmiss and a miss: here it is a pass.
    return (
        f"{counts['cache_hit']} hit, {counts['cache_miss'] - counts['cache_hitmiss']} miss, "
        f"{counts['s_pass'] + counts['cache_hitmiss']} pass"
    )


def render(results: dict) -> str:
    prop = results["propagation"]
    first = prop.get("first") or {"B": None, "varnish": None}
    seen_b = [d for d in prop["b"] if d is not None]
    seen_v = [d for d in prop["varnish"] if d is not None]
    promise_b, promise_v = prop["promise_b"], prop["promise_varnish"]
    ok_b, ok_v = within(prop["b"], promise_b), within(prop["varnish"], promise_v)
    write_median = statistics.median(prop["write_seconds"])
    support_seen = prop["support"]["after_on_b"] == prop["support"]["before"] + 1
    lines = [
        f"{results['when']} · commit {results['commit']} · {results['machine']} · load "
        f"average at the start {results['load_start']}, at the end {results['load_end']} "
        "(1/5/15 min). The two cores are shared with PostgreSQL, Redis, locust, nginx, Varnish, "
        "PgBouncer and other people's work, so absolute figures move from run to run: compare "
        "the ratios, each taken within this run.",
        "",
        "Set-up (`bench/multinode.py`): two app servers, separate gunicorn processes "
        f"({NODE_WORKERS} workers x {load.THREADS} threads each, gthread), behind nginx "
        "(round robin, keep-alive) behind Varnish (docs/varnish.vcl: keeps what the site tags, "
        "passes writes, tokens and sessions, takes bans on its own address); both servers on "
        "one Redis database and, through PgBouncer in transaction mode "
        f"(pool of {POOL_SIZE} server connections, `DB_TRANSACTION_POOLING=1`), one PostgreSQL "
        "database; a Celery worker sends the bans. The single node is bench/load.py's server "
        f"({load.WORKERS} x {load.THREADS}, straight to PostgreSQL), measured in the same run "
        "before the two nodes started. locust: 100 simulated people, no pause unless paced.",
        "",
        "### Propagation",
        "",
        f"A planner's official answer to an idea posted through app server A; B's idea page "
        f"and Varnish's polled every {POLL_SECONDS * 1000:.0f} ms until they show it "
        f"({prop['trials']} trials; seconds from A's answer to the sending of the first request "
        f"that showed it; the write itself took {write_median:.2f} s median). Before each "
        "trial B and Varnish held the page. "
        f"The first trial after the stack started, the Celery worker's first ban job, is "
        f"apart: B {seconds_list([first['B']])} s, Varnish {seconds_list([first['varnish']])} s.",
        "",
        "| seen through | delays (s) | max | median | promised (README) | met |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| app server B directly | {seconds_list(prop['b'])} | "
        f"{max(seen_b, default=float('nan')):.2f} | "
        f"{statistics.median(seen_b) if seen_b else float('nan'):.2f} | <= {promise_b:g} "
        f"(PAGE_CACHE_LOCAL_SECONDS) | {'yes' if ok_b else 'NO'} |",
        f"| Varnish | {seconds_list(prop['varnish'])} | "
        f"{max(seen_v, default=float('nan')):.2f} | "
        f"{statistics.median(seen_v) if seen_v else float('nan'):.2f} | <= {promise_v:g} "
        f"(HTTP_CACHE_BAN_REPEAT_SECONDS + 1 s for the ban job) | {'yes' if ok_v else 'NO'} |",
        "",
        f"A support through A read back through B's API at once: support count "
        f"{prop['support']['before']} before, {prop['support']['after_on_b']} after "
        f"({'seen at once' if support_seen else 'NOT seen'}).",
        "",
        "### Load",
        "",
        f"{results['seconds']} s per saturated run. Varnish column: of the requests Varnish "
        "took, how many it answered from its store (hit), fetched and kept (miss) or passed "
        "to the app servers (pass: writes, tokens, answers not marked public).",
        "",
        "| run | requests | req/s | p50 ms | p95 ms | p99 ms | errors | Varnish | "
        "load avg before | integrity |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for part in ("single", "multi"):
        for result in results[part]["runs"]:
            row = load.aggregate(result)
            lines.append(
                f"| {result['name']} | {row['requests']} | {row['rps']:.0f} | {row['p50']:.0f} | "
                f"{row['p95']:.0f} | {row['p99']:.0f} | {row['failures']} | "
                f"{varnish_share(result)} | {result['load']} | {result.get('integrity', '-')} |"
            )
    storm_single = rps(results, "single node: support storm, saturated") / rps(
        results, "single node: trivial POST, saturated"
    )
    storm_multi = rps(results, "two nodes via Varnish: support storm, saturated") / rps(
        results, "two nodes via Varnish: trivial POST, saturated"
    )
    read_single = rps(results, "single node: reading crowd, saturated") / rps(
        results, "single node: trivial GET, saturated"
    )
    read_multi = rps(results, "two nodes via Varnish: reading crowd, saturated") / rps(
        results, "two nodes via Varnish: trivial GET, saturated"
    )
    read_nginx = rps(results, "two nodes via nginx: reading crowd, saturated") / rps(
        results, "two nodes via nginx: trivial GET, saturated"
    )
    storm_vs = rps(results, "two nodes via Varnish: support storm, saturated") / rps(
        results, "single node: support storm, saturated"
    )
    read_vs = rps(results, "two nodes via Varnish: reading crowd, saturated") / rps(
        results, "single node: reading crowd, saturated"
    )
    multi_runs = results["multi"]["runs"]
    lost_free = all(r.get("integrity_ok", True) for r in results["single"]["runs"] + multi_runs)
    rss_all = [
        *results["single"]["rss_mib"],
        *(m for sizes in results["multi"]["rss_mib"].values() for m in sizes),
    ]
    rss_nodes = "; ".join(
        f"{name}: {', '.join(f'{m:.0f}' for m in sizes)}"
        for name, sizes in results["multi"]["rss_mib"].items()
    )
    pools = results["multi"]["pools"]
    rss_single = ", ".join(f"{m:.0f}" for m in results["single"]["rss_mib"])
    lines += [
        "",
        "| ratio (same run) | single node | two nodes |",
        "| --- | --- | --- |",
        f"| support storm / trivial POST through the same path | {storm_single:.0%} | "
        f"{storm_multi:.0%} (via Varnish) |",
        f"| reading crowd / trivial GET through the same path | {read_single:.0%} | "
        f"{read_multi:.0%} via Varnish; {read_nginx:.0%} via nginx alone |",
        f"| two nodes / single node, req/s | - | storm {storm_vs:.0%}, reading crowd via Varnish "
        f"{read_vs:.0%} |",
        "",
        "| target | figure | met |",
        "| --- | --- | --- |",
        f"| a change through A is seen on B within PAGE_CACHE_LOCAL_SECONDS | max "
        f"{max(seen_b, default=float('nan')):.2f} s of {promise_b:g} s | "
        f"{'yes' if ok_b else 'NO'} |",
        f"| and through Varnish within HTTP_CACHE_BAN_REPEAT_SECONDS + 1 s | max "
        f"{max(seen_v, default=float('nan')):.2f} s of {promise_v:g} s | "
        f"{'yes' if ok_v else 'NO'} |",
        f"| zero lost or doubled supports, counters equal rows (every storm) | "
        f"{'none lost or doubled' if lost_free else 'PROBLEMS (see table)'} | "
        f"{'yes' if lost_free else 'NO'} |",
        f"| gunicorn worker memory < 200 MB | single node {rss_single}; "
        f"{rss_nodes} MiB | {'yes' if rss_all and max(rss_all) < 200 else 'NO'} |",
        "",
        f"PgBouncer after the runs: {pools.get('cl_active', 0) + pools.get('cl_idle', 0)} "
        f"client connections from the app servers held open (CONN_MAX_AGE), served by "
        f"{pools.get('sv_active', 0) + pools.get('sv_idle', 0) + pools.get('sv_used', 0)} "
        f"server connections (pool of {POOL_SIZE}).",
        "",
        "Notes. The propagation to B is bounded by the worker copies of pages "
        "(PAGE_CACHE_LOCAL_SECONDS): B's workers had the page, so a trial sees the change once "
        "the worker that answers last checked Redis more than that long ago. A trial that took "
        "about HTTP_CACHE_BAN_REPEAT_SECONDS through Varnish is one where Varnish fetched the "
        "page again, right after the first ban, from a worker still serving its own copy, and "
        "only the repeated ban dropped it (with one ban that copy would have stayed for "
        "s-maxage); the others saw the first ban. "
        "Errors in a storm through the two nodes, when there are any, are 502s from nginx: "
        "gunicorn reset a kept-alive connection as nginx sent a support on it, and nginx never "
        "retries a POST (keepalive_timeout 1s in nginx's upstream, below gunicorn's 2 s, made "
        "them rarer, not impossible); the person sees an error and may support again, and "
        "nothing is stored twice. "
        "The reading crowd picks idea pages at random among 10,000, so most of its idea pages "
        "are misses that Varnish fetches from the app servers; its hits (consultation page, map "
        "feed, idea pages seen before) answer in about a millisecond, which is why its p50 is "
        "low and its p99 high. The storm goes through Varnish as a pass. Two nodes on the same "
        "two cores as one node, with nginx, Varnish, PgBouncer and a Celery worker added, "
        "cannot be faster here: what this run shows is that the set-up is correct and what "
        "the extra hops cost; the capacity it adds needs machines of their own.",
    ]
    return "\n".join(lines)


# --- orchestration ---------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s load runs, 5 trials")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("--trials", type=int, help="propagation trials (default 10, quick 5)")
    parser.add_argument(
        "--propagation-only", action="store_true", help="the propagation trials only"
    )
    parser.add_argument(
        "--from-results",
        type=Path,
        help="render (and with --write, record) the results.json of an earlier run",
    )
    args = parser.parse_args(argv)
    if args.write and args.propagation_only:
        parser.error("--write records the whole run; leave out --propagation-only")
    if args.from_results:
        text = render(json.loads(args.from_results.read_text()))
        print(text)
        if args.write:
            replace_section(SECTION, text)
        return 0
    missing = missing_packages()
    if missing:
        print(
            f"skipped: install the Debian packages {' '.join(missing)} "
            "(apt-get install -y nginx varnish pgbouncer; no service is started)",
            flush=True,
        )
        return 0
    seconds = 10 if args.quick else 30
    paced = 10 if args.quick else 30
    trials = args.trials or (5 if args.quick else 10)

    setup_django()
    results: dict = {"load_start": load_average(), "seconds": seconds}
    work = Path(tempfile.mkdtemp(prefix="civic-multinode-"))
    # PgBouncer and Varnish's workers run as their own accounts and read their files in here.
    os.chmod(work, 0o755)  # noqa: S103 - a throw-away folder of this benchmark
    print(f"work folder: {work}", flush=True)
    consultation, data = load.prepare(work)
    storm_ids = [pk for pk, _token in json.loads(data.read_text())["residents"]]
    load.Server(work / "collectstatic.log").collectstatic()
    if not args.propagation_only:
        results["single"] = single_node(work, data, consultation, storm_ids, seconds)
    # The two nodes ban through the Celery worker; the process running this script talks to
    # the database directly and must see the same settings for the delays it promises.
    stack = Stack(work, os.environ["DATABASE_URL"]).start()
    try:
        results["propagation"] = propagation(stack, consultation, trials)
        if not args.propagation_only:
            results["multi"] = two_nodes(work, data, consultation, storm_ids, stack, seconds, paced)
    finally:
        stack.stop()
        load.reset_storm(consultation, storm_ids)
    results["load_end"] = load_average()
    results["when"], results["commit"], results["machine"] = stamp(), commit(), machine()
    for part in ("single", "multi"):
        for result in results.get(part, {}).get("runs", []):
            result.pop("log", None)
    (work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    prop = results["propagation"]
    print(json.dumps(prop, default=str), flush=True)
    ok = within(prop["b"], prop["promise_b"]) and within(prop["varnish"], prop["promise_varnish"])
    if args.propagation_only:
        return 0 if ok else 1
    text = render(results)
    print(text, flush=True)
    if args.write:
        replace_section(SECTION, text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
