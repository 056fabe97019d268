"""Readers while others write: how often an anonymous reader gets the cached page.

    .venv/bin/python bench/changes.py --label after --json /tmp/after.json [--steps 3000]
    .venv/bin/python bench/changes.py --compare /tmp/before.json /tmp/after.json --write

A crowd follows a shared post and reads the consultation page and idea pages (3 : 5, idea pages
among the 200 most supported), while residents act. In-process through Django's test client,
against the benchmark database (PostgreSQL, the `bench` consultation of seed_bench) and Redis,
with PAGE_CACHE_LOCAL_SECONDS=0, as if every read reached another web worker than the write.
Scenarios: readers alone; readers with one comment vote in every ten steps; with one support in
every ten steps; with one new comment in every ten steps. Each reports the share of reads
answered from the page cache and the reads per second of this one process.

Run it on two checkouts (the code before and after a change, same database, same machine, one
after the other) with --json, then --compare renders both side by side into the "Readers while
others write" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    bench_env,
    commit,
    load_average,
    machine,
    replace_section,
    stamp,
)

SECTION = "Readers while others write"
SCENARIOS = ("readers alone", "with comment votes", "with supports", "with new comments")
WRITE_EVERY = 10


def _setup() -> None:
    for key, value in bench_env().items():
        os.environ.setdefault(key, value)
    os.environ["PAGE_CACHE_LOCAL_SECONDS"] = "0"
    from bench.common import start_django

    start_django()
    from django.conf import settings

    # Pages render as with collectstatic, without needing its manifest here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _actors(consultation, rng):
    from civic.models import User
    from debate.models import Comment
    from ideas.models import Idea

    ideas = list(
        Idea.objects.published()
        .filter(consultation=consultation)
        .order_by("-support_count", "id")[:200]
    )
    comments = list(
        Comment.objects.filter(consultation=consultation, is_deleted=False, is_hidden=False)
        .select_related("consultation")
        .order_by("id")[:500]
    )
    # Residents hold no role (civic.models.Membership) in the consultation's municipality.
    people = list(
        User.objects.filter(is_active=True)
        .exclude(memberships__municipality_id=consultation.municipality_id)
        .order_by("id")[:500]
    )
    topic = consultation.topics.order_by("id").first()
    return ideas, comments, people, topic


def _write(kind: str, rng, ideas, comments, people, topic) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from debate import services as debate
    from debate.models import CommentVote
    from ideas import services as idea_services

    person = rng.choice(people)
    try:
        if kind == "with comment votes":
            comment = rng.choice(comments)
            # Always a different value from the person's current one: the same seed replays
            # the same choices on every run, and repeating a vote changes nothing.
            current = (
                CommentVote.objects.filter(user=person, comment=comment)
                .values_list("value", flat=True)
                .first()
                or 0
            )
            value = rng.choice([each for each in (1, -1, 0) if each != current])
            debate.comment_vote(user=person, comment=comment, value=value)
        elif kind == "with supports":
            idea = rng.choice(ideas)
            try:
                idea_services.idea_support(user=person, idea=idea)
            except PermissionDenied:
                idea_services.idea_unsupport(user=person, idea=idea)
        elif kind == "with new comments":
            debate.comment_create(
                author=person,
                target=topic,
                body=f"Bench comment {rng.randrange(10**9)}",
                stance="for",
            )
    except (PermissionDenied, ValidationError):
        pass  # an author voting on their own comment, a block: the next step goes on


def run_scenario(kind: str, steps: int, consultation, seed: int) -> dict:
    from django.test import Client

    from bench.common import empty_caches

    rng = random.Random(seed)
    ideas, comments, people, topic = _actors(consultation, rng)
    empty_caches()
    hub = f"/{consultation.slug}/"
    reads = hits = 0
    read_seconds = 0.0
    for step in range(steps):
        if kind != "readers alone" and step % WRITE_EVERY == WRITE_EVERY - 1:
            _write(kind, rng, ideas, comments, people, topic)
            continue
        url = hub if rng.random() < 3 / 8 else rng.choice(ideas).get_absolute_url()
        started = time.perf_counter()
        response = Client().get(url)
        read_seconds += time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        reads += 1
        hits += response.get("X-Page-Cache") in ("hit", "stale")
    return {
        "scenario": kind,
        "reads": reads,
        "hit_rate": hits / reads,
        "reads_per_second": reads / read_seconds,
        "mean_read_ms": 1000 * read_seconds / reads,
    }


def measure(label: str, steps: int, seed: int) -> dict:
    _setup()
    from bench.common import seeded_consultation

    consultation = seeded_consultation()
    load = load_average()
    results = [run_scenario(kind, steps, consultation, seed) for kind in SCENARIOS]
    return {
        "label": label,
        "commit": commit(),
        "when": stamp(),
        "machine": machine(),
        "load": load,
        "steps": steps,
        "results": results,
    }


def render(before: dict, after: dict) -> str:
    lines = [
        f"{after['when']} · {after['machine']} · PostgreSQL and Redis (the `bench` consultation: "
        f"10,000 ideas, 100,000 supports, 20,000 comments) · in-process through Django's test "
        f"client, PAGE_CACHE_LOCAL_SECONDS=0 · {after['steps']} steps per scenario, a write in "
        f"every {WRITE_EVERY}th · before: commit {before['commit']} (load {before['load']}), "
        f"after: commit {after['commit']} (load {after['load']}), one after the other.",
        "",
        "| scenario | cache hits before | cache hits after | reads/s before | reads/s after "
        "| after / before |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for old, new in zip(before["results"], after["results"], strict=True):
        lines.append(
            f"| {new['scenario']} | {old['hit_rate']:.0%} | {new['hit_rate']:.0%} "
            f"| {old['reads_per_second']:.0f} | {new['reads_per_second']:.0f} "
            f"| {new['reads_per_second'] / old['reads_per_second']:.2f}x |"
        )
    lines += [
        "",
        "Before, every comment vote saved its comment, and the comment's save signal replaced "
        "the consultation's cached pages: the reader after each vote built the page again. "
        "After, a vote announces a change that clears nothing (civic/changes.py), as supports "
        "already did; new comments still replace the pages at once, on purpose.",
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(Path(name).read_text()) for name in args.compare)
        text = render(before, after)
        print(text)
        if args.write:
            replace_section(SECTION, text)
        return
    figures = measure(args.label, args.steps, args.seed)
    print(json.dumps(figures, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
