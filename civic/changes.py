"""The one map of change: services announce what changed, one table says what each change clears.

Every service that writes something a cached read shows calls `changed(consultation_id, what)`
inside the transaction it already owns (next to its audit entry). Once that transaction commits,
the caches that the table below names for `what` forget that consultation. Nothing listens to
model signals, so a write done with `QuerySet.update()` or `bulk_create()` is covered as long as
its service announces it, and a test of a service proves the announcement.

| change            | pages | rules | figures | daily order | lookups | clusters | summary | home |
| ----------------- | ----- | ----- | ------- | ----------- | ------- | -------- | ------- | ---- |
| consultation      | x     | x     |         |             | x       |          | x       | x    |
| phase             | x     | x     |         |             |         |          | x       | x    |
| category          | x     |       |         |             |         |          | x       |      |
| topic             | x     |       |         |             |         |          |         |      |
| map layers        | x     |       |         |             |         |          |         |      |
| map survey        | x     |       |         |             |         |          |         |      |
| idea              | x     |       | x       | x           |         | x        | x       | x    |
| idea status       | x     |       |         | x           |         | x        | x       |      |
| support           |       |       |         |             |         |          |         |      |
| comment           | x     |       | x       |             |         |          | x       | x    |
| key figures       | x     |       |         |             |         |          |         |      |
| comment vote      |       |       |         |             |         |          |         |      |
| poll answer       |       |       |         |             |         |          |         |      |
| moderation        | x     |       | x       | x           |         | x        | x       | x    |
| public name       | x (every consultation, the home page too)                                  |
| social post       | x     |       |         |             |         |          |         |      |
| branding          | x (every consultation, the home page too)                                  |

"home" is the home page (its cached copy, its site-wide key figures and its map of open
consultations), which belongs to no one consultation: a change in any consultation that the
home page shows (a consultation's card and dates, ideas, comments, what moderators hide) clears
it, whichever consultation it was in. Topics, categories and idea statuses are not on it.

"figures" are the hub's stored key figures: forgetting them asks a worker to count them again
(debate.figures), and when the count moved it announces "key figures", which clears the pages
built in between.

Deliberate exceptions, stated once: supports, comment votes and poll answers clear nothing. They
are counts that change by the second, and a support storm must not empty the pages the crowd
reads. Anonymous visitors see them at most PAGE_CACHE_SECONDS old (the page cache), the hub's key
figures once their stored row is debate.selectors.FIGURES_TTL old and counted again (the home
page's at most debate.selectors.SITE_FIGURES_TTL old), councillors' summary at most
REPORTS_SUMMARY_CACHE_SECONDS old, and map clusters at most MAP_CLUSTER_CACHE_SECONDS old.

Caches that need no entry in the table: a plan layer's map feed is keyed by the layer's own
version, which every change of the layer moves on (consultations.selectors.plan_layer_feed);
the feed of comments on the plan is kept under the consultation's page versions, which
"comment", "moderation" and "map layers" all move on (debate.selectors.plan_comment_feed);
link-card images (frontend.cards) are keyed by a digest
of what they draw, so changed content gets a new key; an idea's reference never moves to another
consultation (ideas.selectors.consultation_id_for_reference); per-process copies (the page
cache's PAGE_CACHE_LOCAL_SECONDS, the rules' CONSULTATION_RULES_SECONDS) follow the shared
versions and are bounded by those settings.

This module knows no app: each app registers, in its AppConfig.ready, the function that forgets
its own cache (`forgets(Cache.FIGURES, forget_consultation_figures)`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from enum import StrEnum

from django.db import transaction


class Change(StrEnum):
    CONSULTATION = "consultation"  # its text, status, area, cover, results, planners, or deletion
    PHASE = "phase"  # the timeline and what each phase allows
    CATEGORY = "category"
    TOPIC = "topic"  # a discussion thread, its poll options
    MAP_LAYERS = "map_layers"  # plan layers (added, styled, ordered, removed) and map services
    MAP_SURVEY = "map_survey"  # map questions (added, changed, ordered, removed), drawn answers
    IDEA = "idea"  # text, place, photos, publication (submitted, confirmed, withdrawn, deleted)
    IDEA_STATUS = "idea_status"  # status and official answer
    SUPPORT = "support"
    COMMENT = "comment"  # new, edited, published, deleted, marked official
    COMMENT_VOTE = "comment_vote"
    POLL_ANSWER = "poll_answer"
    # a consultation's stored key figures counted again and found moved (debate.figures)
    FIGURES = "figures"
    MODERATION = "moderation"  # hidden, restored, approved, rejected, redacted, edited by staff
    PUBLIC_NAME = "public_name"  # a shown name changed or an account erased: every consultation
    SOCIAL_POST = "social_post"  # published or deleted on a platform, engagement read back
    BRANDING = "branding"  # the municipality's name, logo, colour or map: every page


class Cache(StrEnum):
    # anonymous visitors' copies of public pages (civic.pagecache), the consultation page's
    # sections each worker keeps (consultations.hub), and shared HTTP caches (civic.httpcache)
    PAGES = "pages"
    RULES = "rules"  # each worker's copy of a consultation's phases for the rules of a write
    FIGURES = "figures"  # the hub's key figures
    DAILY_ORDER = "daily_order"  # the day's shuffled order of a consultation's ideas
    LOOKUPS = "lookups"  # consultation address -> id
    CLUSTERS = "clusters"  # map answers (clusters, kept anonymous answers; HTTP caches too)
    SUMMARY = "summary"  # councillors' live summary
    HOME = "home"  # the home page: its cached copy, site-wide key figures, map of what is open


_ = frozenset
CLEARS: dict[Change, frozenset[Cache]] = {
    Change.CONSULTATION: _({Cache.PAGES, Cache.RULES, Cache.LOOKUPS, Cache.SUMMARY, Cache.HOME}),
    Change.PHASE: _({Cache.PAGES, Cache.RULES, Cache.SUMMARY, Cache.HOME}),
    Change.CATEGORY: _({Cache.PAGES, Cache.SUMMARY}),
    Change.TOPIC: _({Cache.PAGES}),
    Change.MAP_LAYERS: _({Cache.PAGES}),
    Change.MAP_SURVEY: _({Cache.PAGES}),
    Change.IDEA: _(
        {
            Cache.PAGES,
            Cache.FIGURES,
            Cache.DAILY_ORDER,
            Cache.CLUSTERS,
            Cache.SUMMARY,
            Cache.HOME,
        }
    ),
    Change.IDEA_STATUS: _({Cache.PAGES, Cache.DAILY_ORDER, Cache.CLUSTERS, Cache.SUMMARY}),
    Change.SUPPORT: _(),
    Change.COMMENT: _({Cache.PAGES, Cache.FIGURES, Cache.SUMMARY, Cache.HOME}),
    Change.COMMENT_VOTE: _(),
    Change.POLL_ANSWER: _(),
    Change.FIGURES: _({Cache.PAGES}),
    Change.MODERATION: _(
        {
            Cache.PAGES,
            Cache.FIGURES,
            Cache.DAILY_ORDER,
            Cache.CLUSTERS,
            Cache.SUMMARY,
            Cache.HOME,
        }
    ),
    # The home page shows no names, but every page's copy carries the global version that a
    # shown name moves on (civic.pagecache), so it is rebuilt all the same.
    Change.PUBLIC_NAME: _({Cache.PAGES}),
    Change.SOCIAL_POST: _({Cache.PAGES}),
    Change.BRANDING: _({Cache.PAGES}),
}
del _
# Changes that are on the pages of every consultation, announced with consultation None.
EVERY_CONSULTATION = frozenset({Change.PUBLIC_NAME, Change.BRANDING})

# Cache -> the functions that forget one consultation's copies (None: every consultation).
Forget = Callable[[int | None], None]
_forgetters: dict[Cache, list[Forget]] = defaultdict(list)


def forgets(cache: Cache, forget: Forget) -> None:
    """Register `forget(consultation_id)` as the way to empty `cache` (from AppConfig.ready)."""
    if forget not in _forgetters[cache]:
        _forgetters[cache].append(forget)


def changed(consultation_id: int | None, what: Change) -> None:
    """Announce that `what` changed in a consultation; the caches the table names forget it once
    the current transaction commits (at once outside one). A shown name is on pages of every
    consultation (None), and so is the municipality's branding; anything else that belongs to no
    consultation clears nothing."""
    what = Change(what)
    caches = CLEARS[what]
    if not caches or (consultation_id is None and what not in EVERY_CONSULTATION):
        return
    after_commit(lambda: forget_now(consultation_id, caches))


def after_commit(callback: Callable[[], None]) -> None:
    # One name for the deferral, so the test suite (whose transactions never commit) can run it
    # where a commit would happen instead (tests/conftest.py).
    transaction.on_commit(callback)


def forget_now(consultation_id: int | None, caches: frozenset[Cache]) -> None:
    done = set()  # a forgetter registered for two of these caches runs once
    for cache in sorted(caches):
        for forget in _forgetters[cache]:
            if forget not in done:
                done.add(forget)
                forget(consultation_id)


def next_version(key: str) -> None:
    """Move a cache's version key on, so every entry stored under the old version is missed.

    The forgetters that version their entries (pages, rules, clusters) share this. A missing key
    (never set, evicted, the cache restarted) starts from the clock, so a version is never used
    again for different content.
    """
    from django.core.cache import cache

    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)
