"""Locust users for bench/load.py (run headless by it; not on its own).

BENCH_DATA names a JSON file that load.py writes: tokens of residents, idea ids and references,
topic ids and comment ids, the consultation slug. BENCH_LOG names a file this run appends its
confirmed writes to, one JSON line each, for the integrity check:
{"support": [idea_id, user_id]} for a 201 on a support, {"comment": id} for a 201 on a comment.
BENCH_THINK_SECONDS is each simulated person's pause between requests (0: as fast as possible).

Classes: Supporter (support storm), Reader (reading crowd: consultation page, map feed and idea
pages picked at random among all ideas), HubReader (the consultation page alone), Commenter,
TrivialReader and
TrivialWriter (the same kind of requests against bench.urls' trivial view: the ceiling).
"""

import json
import os
import random
from itertools import count

import gevent
from locust import FastHttpUser, between, constant, events, task

DATA = json.loads(open(os.environ["BENCH_DATA"]).read())  # noqa: SIM115 - read once at import
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "0"))
SUPPORTS_PER_RESIDENT = 10
_log_lines: list[str] = []
_resident_numbers = count()
_rng = random.Random(int(os.environ.get("BENCH_SEED", "1")))


def wait():
    return between(THINK * 0.5, THINK * 1.5) if THINK else constant(0)


def arrive():
    """In a paced run each person's first request comes at a random moment within one pause,
    as people who follow a post arrive independently. Without it, locust starts all 100 users
    in the same instant, and that one burst of 100 simultaneous requests, which no real crowd
    sends, was most of the slowest percent of a 60 s run."""
    if THINK:
        gevent.sleep(_rng.uniform(0, THINK))


@events.test_stop.add_listener
def _write_log(**kwargs):
    with open(os.environ["BENCH_LOG"], "a") as log:
        log.write("".join(_log_lines))
    _log_lines.clear()


class Supporter(FastHttpUser):
    """A signed-in resident (API token) supporting ideas of one consultation, each once."""

    wait_time = wait()
    weight = int(os.environ.get("BENCH_WEIGHT_SUPPORTER", "1"))

    def on_start(self):
        self._next_resident()
        arrive()

    def _next_resident(self):
        resident = DATA["residents"][next(_resident_numbers) % len(DATA["residents"])]
        self.user_id, token = resident
        self.headers = {"Authorization": f"Token {token}"}
        # A resident's own order of ideas: every pick is new for this resident.
        self.ideas = _rng.sample(DATA["idea_ids"], SUPPORTS_PER_RESIDENT)

    @task
    def support(self):
        if not self.ideas:
            self._next_resident()
        idea_id = self.ideas.pop()
        with self.client.post(
            f"/api/v1/ideas/{idea_id}/support/",
            headers=self.headers,
            name="POST support",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                _log_lines.append(json.dumps({"support": [idea_id, self.user_id]}) + "\n")
                response.success()
            else:
                response.failure(f"{response.status_code}")


class Reader(FastHttpUser):
    """An anonymous visitor arriving from a social post."""

    wait_time = wait()
    weight = int(os.environ.get("BENCH_WEIGHT_READER", "1"))

    def on_start(self):
        arrive()

    @task(3)
    def consultation_page(self):
        self.client.get(f"/{DATA['slug']}/", name="GET consultation page")

    @task(2)
    def map_feed(self):
        self.client.get(
            f"/api/v1/consultations/{DATA['slug']}/ideas.geojson", name="GET map feed (whole area)"
        )

    @task(5)
    def idea_page(self):
        reference = _rng.choice(DATA["idea_references"])
        self.client.get(f"/ideas/{reference}/", name="GET idea page")


class HubReader(FastHttpUser):
    """An anonymous visitor opening the consultation page a post links to, and nothing else:
    the page the reading-crowd target names."""

    wait_time = wait()

    def on_start(self):
        arrive()

    @task
    def consultation_page(self):
        self.client.get(f"/{DATA['slug']}/", name="GET consultation page")


class Commenter(FastHttpUser):
    """A signed-in resident adding an argument to a topic or replying in a thread."""

    wait_time = wait()
    weight = int(os.environ.get("BENCH_WEIGHT_COMMENTER", "1"))

    def on_start(self):
        self.user_id, token = _rng.choice(DATA["commenters"])
        self.headers = {"Authorization": f"Token {token}"}
        arrive()

    @task
    def comment(self):
        topic_id = _rng.choice(DATA["topic_ids"])
        body = {"body": f"Load test comment {_rng.randrange(10**9)} about the harbour bath."}
        if _rng.random() < 0.5 and DATA["comment_parents"].get(str(topic_id)):
            body["parent"] = _rng.choice(DATA["comment_parents"][str(topic_id)])
        else:
            body["stance"] = _rng.choice(["for", "against", "neutral"])
        with self.client.post(
            f"/api/v1/topics/{topic_id}/comments/",
            json=body,
            headers=self.headers,
            name="POST comment",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                _log_lines.append(json.dumps({"comment": response.json()["id"]}) + "\n")
                response.success()
            else:
                response.failure(f"{response.status_code}")


class TrivialReader(FastHttpUser):
    wait_time = wait()

    @task
    def trivial(self):
        self.client.get("/bench/trivial", name="GET trivial view")


class TrivialApiWriter(FastHttpUser):
    """The floor of an authenticated API write (bench.urls' TrivialApiWrite), with a resident's
    token as the supporters send it."""

    wait_time = wait()

    def on_start(self):
        _user_id, token = DATA["residents"][next(_resident_numbers) % len(DATA["residents"])]
        self.headers = {"Authorization": f"Token {token}"}

    @task
    def trivial(self):
        self.client.post("/bench/trivial-api", headers=self.headers, name="POST trivial API view")


class TrivialWriter(FastHttpUser):
    wait_time = wait()

    @task
    def trivial(self):
        self.client.post(
            "/bench/trivial",
            headers={"Authorization": "Token x"},
            name="POST trivial view",
        )
