"""The outbox fault drills (bench/social_drills.py) on every platform's fake, over real HTTP:
503 and 429 with Retry-After, a timeout, a dropped answer, a worker killed with SIGKILL, two
workers at once, a lapsed lease and an expired idempotency key each end with exactly one post on
the platform per approved post, recorded as published."""

from __future__ import annotations

import pytest

from bench import social_drills

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _drill_settings(settings):
    settings.SOCIAL_HTTP_TIMEOUT_SECONDS = social_drills.TIMEOUT
    settings.SOCIAL_OUTBOX_RETRY_BASE_SECONDS = 30


@pytest.mark.parametrize("platform", social_drills.PLATFORMS)
@pytest.mark.parametrize("drill", list(social_drills.DRILLS))
def test_every_drill_leaves_one_post_per_approved_post(drill, platform):
    if drill == "kill -9" and not social_drills.shareable_database():
        pytest.skip("a killed worker process needs a database other processes can open")
    if drill == "two workers" and not social_drills.shareable_database():
        # In-memory SQLite shares one cache between connections and answers a second writer
        # "database table is locked" at once instead of waiting as a database file (WAL, busy
        # timeout) or PostgreSQL do, so two workers there fail now and then for the test
        # database's sake; the drill runs on PostgreSQL and on a SQLite file.
        pytest.skip("two workers at once need a database whose writers wait for each other")
    outcome = social_drills.run(drill, platform)
    assert outcome.ok, f"{outcome.remote} remote posts for {outcome.approved}: {outcome.notes}"


def test_a_drill_that_sends_twice_is_reported():
    """The drills can fail: a second post on the platform is counted as such."""
    outcome = social_drills.Outcome(approved=1, remote=2, published=1)
    assert not outcome.ok and outcome.cell() == "**2/1 NO**"
