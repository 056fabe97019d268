"""`make bench`: rerun every benchmark and write bench/RESULTS.md (about 30 minutes).

    .venv/bin/python bench/run.py [--skip-faults] [--skip-others] [--quick]

In order: the generator's speed (100,000 ideas into a fresh database), the micro benchmarks,
the load test, the two-node set-up behind nginx, Varnish and PgBouncer (bench/multinode.py;
skipped with a message when those Debian packages are not installed), the fault drills (they
restart the shared PostgreSQL and Redis for a few seconds; --skip-faults leaves them out), the
social outbox drills on every platform's fake (bench/social_drills.py), the long API fuzz run
(bench/fuzz.py, about 15 minutes), and the other parts' benchmarks (maps, debate, reports) with
their --write. Each step runs in its own process so that one failing step is reported and the
others still run.
The "Overview" section records the machine, the load average, the commit and what changed since
the previous run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    commit,
    load_average,
    machine,
    previous_section,
    replace_section,
    stamp,
)

PYTHON = str(ROOT / ".venv" / "bin" / "python")
SEED_DATABASE = "postgres://postgres@127.0.0.1:5432/civic_bench_seedtime"


def seed_speed() -> str:
    """Time seed_bench for 100,000 ideas in a fresh database; write the Generator section."""
    import psycopg

    admin = SEED_DATABASE.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS civic_bench_seedtime")
        connection.execute("CREATE DATABASE civic_bench_seedtime")
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": SEED_DATABASE,
        "SECRET_KEY": "bench-only-" + "s" * 40,
        "DEBUG": "0",
    }
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    load = load_average()
    started = time.perf_counter()
    output = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "seed_bench",
            "--ideas=100000",
            "--supports=200000",
            "--comments=20000",
            "--users=5000",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    elapsed = time.perf_counter() - started
    body = (
        f"{stamp()} · commit {commit()} · {machine()} · load average before: {load}\n\n"
        f"`manage.py seed_bench --ideas 100000 --supports 200000 --comments 20000 --users 5000` "
        f"into a fresh, migrated database: **{elapsed:.1f} s** for the whole command "
        f"(process start and Django set-up included). Its own account: {output}\n\n"
        "Ideas go through bench/seed.py's seed_ideas (shared with the map benchmark), "
        "supports and comments are COPied (ids taken from the sequence first); users and "
        "tokens go through bulk_create; counters are then recomputed from the rows in one "
        "UPDATE per table."
    )
    replace_section("Generator", body)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS civic_bench_seedtime")
    return f"{elapsed:.1f} s"


def step(name: str, command: list[str], timeout: int) -> str:
    print(f"== {name}", flush=True)
    started = time.perf_counter()
    # Benchmarks post from one address many times a minute; the abuse limits would answer 429.
    env = {
        **os.environ,
        "RATE_LIMIT_SUPPORT": "100000000/h",
        "RATE_LIMIT_COMMENT": "100000000/h",
        "RATE_LIMIT_IDEA_SUBMIT": "100000000/h",
    }
    try:
        completed = subprocess.run(command, cwd=ROOT, timeout=timeout, env=env)
        outcome = "ok" if completed.returncode == 0 else f"exit {completed.returncode}"
    except subprocess.TimeoutExpired:
        outcome = f"stopped after {timeout} s"
    return f"{name}: {outcome} ({time.perf_counter() - started:.0f} s)"


def multinode(extra: list[str]) -> str:
    """The two-node set-up, or why it was skipped (it needs nginx, varnish and pgbouncer)."""
    from bench.multinode import missing_packages

    missing = missing_packages()
    if missing:
        message = (
            f"multinode: skipped, the Debian packages {' '.join(missing)} are not installed "
            "(apt-get install -y nginx varnish pgbouncer; no service needs to run)"
        )
        print(f"== {message}", flush=True)
        return message
    return step("multinode", [PYTHON, "bench/multinode.py", "--write", *extra], 1200)


def what_changed() -> str:
    previous = previous_section("Overview")
    match = re.search(r"commit ([0-9a-f]{7,})", previous)
    if not match:
        return "first run of bench/run.py."
    last = match.group(1)
    log = subprocess.run(
        ["git", "log", "--oneline", "--no-merges", f"{last}..HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not log:
        return f"nothing committed since {last}."
    lines = log.splitlines()
    shown = "; ".join(line.split(" ", 1)[1] for line in lines[:8])
    more = f" (and {len(lines) - 8} more)" if len(lines) > 8 else ""
    return f"{len(lines)} commits since {last}: {shown}{more}."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--skip-others", action="store_true", help="only this part's benchmarks")
    parser.add_argument("--quick", action="store_true", help="short load runs")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load = load_average()
    changed = what_changed()
    outcomes = []
    print("== generator speed", flush=True)
    try:
        outcomes.append(f"generator: ok ({seed_speed()})")
    except (subprocess.CalledProcessError, OSError) as error:
        outcomes.append(f"generator: failed ({error})")
    outcomes.append(step("micro", [PYTHON, "bench/micro.py", "--write"], 600))
    load_args = ["--quick"] if args.quick else []
    outcomes.append(step("load", [PYTHON, "bench/load.py", "--write", *load_args], 900))
    outcomes.append(multinode(load_args))
    if not args.skip_faults:
        outcomes.append(step("faults", [PYTHON, "bench/faults.py", "--write"], 400))
    outcomes.append(step("social drills", [PYTHON, "bench/social_drills.py", "--write"], 900))
    outcomes.append(step("fuzz", [PYTHON, "bench/fuzz.py", "--write"], 1800))
    if not args.skip_others:
        others = (
            ("maps_feeds.py", 20),
            ("debate_topic.py", 20),
            ("reports_summary.py", 5),
            ("search.py", 20),
            ("plan_layers.py", 20),
        )
        for script, runs in others:
            if (ROOT / "bench" / script).exists():
                outcomes.append(
                    step(script, [PYTHON, f"bench/{script}", "--write", f"--runs={runs}"], 600)
                )
    overview = (
        f"Last full run: {stamp()} · commit {commit()} · {machine()} · load average at the "
        f"start: {load} (1/5/15 min; the machine is shared, so compare ratios and medians, "
        f"not single runs) · {time.perf_counter() - started:.0f} s in all.\n\n"
        f"What changed since the last run: {changed}\n\n"
        "Steps: " + "; ".join(outcomes) + "."
    )
    replace_section("Overview", overview, first=True)
    print(overview)
    return 0 if all(": ok" in outcome for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
