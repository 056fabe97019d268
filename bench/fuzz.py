"""The long API fuzz run: tests/bench/test_api_fuzz.py with many more cases per operation.

    .venv/bin/python bench/fuzz.py [--examples 100] [--write]

`make test` runs the same test with 3 cases per operation; this runs --examples per operation
(each sent as an anonymous visitor and as a planner), against PostgreSQL + Redis when
BENCH_DATABASE_URL / BENCH_REDIS_URL (or the defaults in bench/common.py) are reachable. It
counts the requests and their status codes, the server errors and the operations whose answers
broke the schema (status code, content type or body), and with --write puts them in the
"API fuzzing" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    bench_env,
    commit,
    load_average,
    machine,
    replace_section,
    stamp,
)

PYTEST = str(ROOT / ".venv" / "bin" / "pytest")


def run(examples: int) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".tsv") as tally:
        env = {
            **os.environ,
            **{k: v for k, v in bench_env().items() if k in ("DATABASE_URL", "REDIS_URL")},
            "FUZZ_EXAMPLES": str(examples),
            "FUZZ_TALLY": tally.name,
        }
        load = load_average()
        started = time.perf_counter()
        completed = subprocess.run(
            [PYTEST, "tests/bench/test_api_fuzz.py", "-q", "-p", "no:cacheprovider", "-rf"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        rows = [line.rstrip("\n").split("\t") for line in tally if line.strip()]
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAILED")]
    statuses = Counter(row[2] for row in rows)
    return {
        "examples": examples,
        "operations": len({row[0] for row in rows}),
        "requests": len(rows),
        "statuses": statuses,
        "server_errors": sum(n for code, n in statuses.items() if code.startswith("5")),
        "failed": failed,
        "elapsed": elapsed,
        "load": load,
        "summary": completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else "",
        "database": env["DATABASE_URL"].split("@")[-1],
    }


def report(result: dict) -> str:
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(result["statuses"].items()))
    failed = "; ".join(line.split("[", 1)[-1].rstrip("]") for line in result["failed"]) or "none"
    return (
        f"{stamp()} · commit {commit()} · {machine()} · load average before: {result['load']}\n\n"
        f"`bench/fuzz.py --examples {result['examples']}`: schemathesis over every operation of "
        f"/api/schema/ ({result['operations']} operations), each generated case sent as an "
        f"anonymous visitor and as a planner with a token, in-process against "
        f"{result['database']}, fixed seed. Checks: no 5xx, status code documented, content "
        f"type documented, body matches the schema.\n\n"
        f"- requests: **{result['requests']}** in {result['elapsed']:.0f} s "
        f"({result['summary']})\n"
        f"- status codes: {codes}\n"
        f"- server errors: **{result['server_errors']}**; operations with a failed check: "
        f"**{len(result['failed'])}** ({failed})\n\n"
        "`make test` runs the same test with 3 cases per operation (FUZZ_EXAMPLES)."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="cases per operation")
    parser.add_argument("--write", action="store_true", help="write the RESULTS.md section")
    args = parser.parse_args(argv)
    result = run(args.examples)
    text = report(result)
    print(text)
    if args.write:
        replace_section("API fuzzing", text)
    return 0 if not result["failed"] and not result["server_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
