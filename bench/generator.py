"""Deterministic bulk data for benchmarks and load tests (`manage.py seed_bench`).

    seed(ideas=100_000, supports=200_000, comments=20_000, users=5_000, seed=42)

One consultation (slug "bench", created if missing, with a phase open for everything), residents
with API tokens, ideas spread over the area (bench/seed.py's `seed_ideas`, shared with the map
benchmark), distinct supports and threaded comments on the consultation's topics down to depth 6.
Rows are written in bulk (COPY on PostgreSQL, bulk_create elsewhere), and the counters are then
recomputed from the rows, so `support_count` and `comment_count` always equal what was written.
The same seed and sizes give the same rows (apart from database ids and timestamps).
Not for production: it bypasses the services' rules on purpose.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

BENCH_SLUG = "bench"
USER_DOMAIN = "bench.invalid"
CATEGORIES = (("Play", "#1b7837"), ("Water", "#2166ac"), ("Traffic", "#b2182b"))
# Share of comments per depth 0..6: a wide first level that thins out, as real threads do.
DEPTH_SHARES = (0.10, 0.30, 0.25, 0.175, 0.10, 0.05, 0.025)
TOPIC_TITLES = ("What should the harbour site hold?", "Traffic and parking", "Phasing the works")
COMMENT_WORDS = (
    "harbour",
    "bicycles",
    "bridge",
    "noise",
    "children",
    "swimming",
    "trees",
    "parking",
    "cost",
    "summer",
    "winter",
    "benches",
    "light",
    "market",
    "quiet",
)
COPY_BATCH = 50_000


@dataclass
class SeedReport:
    consultation_id: int
    users: int = 0
    ideas: int = 0
    supports: int = 0
    comments: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        times = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return (
            f"{self.users} users, {self.ideas} ideas, {self.supports} supports, "
            f"{self.comments} comments ({times})"
        )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows: COPY on PostgreSQL, bulk_create elsewhere. Columns are db columns."""
    if not rows:
        return
    if is_postgres():
        table = model._meta.db_table
        column_list = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            for start in range(0, len(rows), COPY_BATCH):
                with raw.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
                    for row in rows[start : start + COPY_BATCH]:
                        copy.write_row(row)
        return
    by_column = {f.column: f.attname for f in model._meta.concrete_fields}
    objects = [
        model(**{by_column[c]: v for c, v in zip(columns, row, strict=True)}) for row in rows
    ]
    model.objects.bulk_create(objects, batch_size=2_000)


def insert_values(model, rows: list[dict]) -> None:
    """Insert rows given as {attname: value} with plain Python values, the model's defaults for
    the rest: COPY on PostgreSQL, with no model instance per row (building 100,000 instances and
    preparing each of their fields cost more than writing them); bulk_create elsewhere."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not is_postgres():
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2_000)
        return
    real = connections[DEFAULT_DB_ALIAS]  # not the per-thread proxy, read once per field
    # What Model() would fill in: the field's default, "" for text fields without one.
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), real) for f in fields}
    names = [f.attname for f in fields]
    insert_rows(
        model,
        [f.column for f in fields],
        [tuple(row[n] if n in row else defaults[n] for n in names) for row in rows],
    )


def insert_objects(model, objects: list) -> list:
    """Insert model instances as they are (timestamps included) and give them their ids.

    On PostgreSQL the ids are taken from the table's sequence first and the rows are COPied,
    which is several times faster than bulk_create; elsewhere bulk_create, then the timestamps
    that auto_now_add overwrote are put back.
    """
    if not objects:
        return objects
    fields = model._meta.concrete_fields
    if is_postgres():
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
        real = connections[DEFAULT_DB_ALIAS]  # not the per-thread proxy, read once per field
        rows = [
            tuple(f.get_db_prep_save(getattr(obj, f.attname), real) for f in fields)
            for obj in objects
        ]
        insert_rows(model, [f.column for f in fields], rows)
        return objects
    stamps = {
        f.attname: [getattr(obj, f.attname) for obj in objects]
        for f in fields
        if getattr(f, "auto_now_add", False)
    }
    created = model.objects.bulk_create(objects, batch_size=2_000)
    if stamps:
        for name, values in stamps.items():
            for obj, value in zip(created, values, strict=True):
                setattr(obj, name, value)
        model.objects.bulk_update(created, list(stamps), batch_size=500)
    return created


def bench_consultation(slug: str = BENCH_SLUG):
    """The benchmark consultation (Christiansholm, like the map benchmark's), created with an
    open phase that allows everything."""
    from bench.seed import ALLOWS_EVERYTHING, AREA, seed_consultation
    from consultations.models import Consultation, Phase

    consultation, _created = seed_consultation(
        slug,
        {
            "title": "Christiansholm (benchmark)",
            "summary": "Seeded by manage.py seed_bench.",
            "body": "Benchmark data.",
            "status": Consultation.Status.PUBLISHED,
            "kind": Consultation.Kind.IDEA_COMPETITION,
            "area": AREA,
            # References are unique across consultations; the slug keeps two bench runs apart.
            "reference_prefix": ("B" + slug.upper().replace("-", ""))[:8],
        },
        phase={"kind": Phase.Kind.IDEAS, **ALLOWS_EVERYTHING},
        opened_days_ago=7,
        categories=CATEGORIES,
    )
    return consultation


def seed_users(count: int, *, seed: int, prefix: str = "resident") -> list[int]:
    """`count` residents named {prefix}{i}@bench.invalid with API tokens; returns their ids.

    Existing ones are kept, so seeding twice adds nothing. Passwords are unusable: the load
    test authenticates with the tokens (see `user_tokens`).
    """
    from civic.models import PSEUDONYM_ALPHABET, User

    emails = [f"{prefix}{i}@{USER_DOMAIN}" for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    taken = set(User.objects.values_list("pseudonym_code", flat=True))
    rng = random.Random(f"{seed}-{prefix}")
    now = timezone.now()
    rows = []
    for i, email in enumerate(emails):
        code = "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(6))
        if email in existing:
            continue
        while code in taken:
            code = "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(6))
        taken.add(code)
        rows.append(
            User(
                email=email,
                username=email,
                display_name=f"Bench resident {i}",
                show_name_publicly=i % 2 == 0,
                pseudonym_code=code,
                password="!",  # unusable
                date_joined=now,
            )
        )
    User.objects.bulk_create(rows, batch_size=2_000)
    ids = list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))
    ensure_tokens(ids, seed=seed)
    return ids


def _bench_key(pk: int) -> str:
    # Derived from the account: reproducible, and unique because ids are.
    return hashlib.sha256(f"bench-token-{pk}".encode()).hexdigest()[:40]


def ensure_tokens(user_ids: list[int], *, seed: int = 0) -> None:
    """An API token for each account (stored as its digest, as every token is). Its last use
    counts as just now, as for a client in use, so requests do not write their first use."""
    from civic.api_tokens import PREFIX_LENGTH, digest_of
    from civic.models import ApiToken

    have = set(ApiToken.objects.filter(owner_id__in=user_ids).values_list("owner_id", flat=True))
    now = timezone.now()
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                owner_id=pk,
                name="Bench",
                digest=digest_of(_bench_key(pk)),
                prefix=_bench_key(pk)[:PREFIX_LENGTH],
                last_used_at=now,
            )
            for pk in user_ids
            if pk not in have
        ],
        batch_size=2_000,
    )


def user_tokens(user_ids: list[int]) -> dict[int, str]:
    """The keys of the accounts' bench tokens (only digests are stored: the keys are derived)."""
    from civic.api_tokens import digest_of
    from civic.models import ApiToken

    keys = {pk: _bench_key(pk) for pk in user_ids}
    stored = set(
        ApiToken.objects.filter(
            digest__in=[digest_of(key) for key in keys.values()], revoked_at__isnull=True
        ).values_list("owner_id", flat=True)
    )
    return {pk: key for pk, key in keys.items() if pk in stored}


def seed_ideas_for(consultation, count: int, *, seed: int) -> list[int]:
    """Ideas through the map benchmark's seeder; their seeded support counts are reset to 0
    here because supports come only from real Support rows (see `recount`)."""
    from bench.seed import seed_ideas
    from ideas.models import Idea

    before = set(Idea.objects.filter(consultation=consultation).values_list("pk", flat=True))
    if count:
        seed_ideas(consultation, count, seed=seed)
    ids = Idea.objects.filter(consultation=consultation).order_by("pk").values_list("pk", flat=True)
    return [pk for pk in ids if pk not in before] if before else list(ids)


def seed_supports(consultation, idea_ids: list[int], user_ids: list[int], count: int, *, seed):
    """`count` distinct (idea, person) supports; popular ideas get more (a skewed pick)."""
    from ideas.models import Support

    if not idea_ids or not user_ids:
        return 0
    count = min(count, len(idea_ids) * len(user_ids) // 2)
    rng = random.Random(f"{seed}-supports")
    existing = set(
        Support.objects.filter(idea_id__in=idea_ids).values_list("idea_id", "user_id")
        if len(idea_ids) < 50_000
        else Support.objects.filter(consultation=consultation).values_list("idea_id", "user_id")
    )
    chosen: set[tuple[int, int]] = set()
    n_ideas, n_users = len(idea_ids), len(user_ids)
    while len(chosen) < count:
        # Squaring a uniform number favours the first ideas: a few get many supports.
        idea = idea_ids[int(n_ideas * rng.random() ** 2)]
        user = user_ids[rng.randrange(n_users)]
        pair = (idea, user)
        if pair not in existing:
            chosen.add(pair)
    now = timezone.now()
    rows = [(idea, user, consultation.pk, now) for idea, user in sorted(chosen)]
    insert_rows(Support, ["idea_id", "user_id", "consultation_id", "created_at"], rows)
    return len(rows)


def seed_comments(consultation, user_ids: list[int], count: int, *, seed) -> int:
    """`count` comments spread over the consultation's topics, threaded down to depth 6."""
    from civic.markdown import render_markdown
    from consultations.models import Topic
    from debate.models import Comment

    if not count or not user_ids:
        return 0
    topics = []
    for position, title in enumerate(TOPIC_TITLES):
        topic, _ = Topic.objects.get_or_create(
            consultation=consultation,
            title=title,
            defaults={"introduction": "Tell us what you think.", "position": position},
        )
        topics.append(topic)
    rng = random.Random(f"{seed}-comments")
    # A pool of bodies, rendered once each: Markdown for every row would dominate the time.
    pool = [
        " ".join(rng.choice(COMMENT_WORDS) for _ in range(rng.randint(5, 30))) for _ in range(300)
    ]
    rendered = {body: render_markdown(body) for body in pool}
    sizes = [int(count * share) for share in DEPTH_SHARES]
    sizes[0] += count - sum(sizes)
    previous: list[Comment] = []
    now = timezone.now()
    written = 0
    for depth, size in enumerate(sizes):
        rows = []
        for _ in range(size):
            parent = rng.choice(previous) if depth and previous else None
            body = rng.choice(pool)
            rows.append(
                Comment(
                    consultation=consultation,
                    topic_id=parent.topic_id if parent else rng.choice(topics).pk,
                    parent=parent,
                    root_id=(parent.root_id or parent.pk) if parent else None,
                    depth=depth if parent else 0,
                    author_id=rng.choice(user_ids),
                    body=body,
                    body_html=rendered[body],
                    stance=rng.choice(["for", "against", "neutral"]) if parent is None else "",
                    # Spread over a month so "newest" differs from insertion order.
                    created_at=now - timedelta(minutes=rng.randint(0, 43_200)),
                )
            )
        previous = insert_objects(Comment, rows)
        written += len(previous)
    return written


def recount(consultation) -> None:
    """Set every idea's support_count and comment_count and every topic's comment_count from
    the rows, in one statement each."""
    from consultations.models import Topic
    from debate.models import Comment
    from ideas.models import Idea, Support

    def counted(queryset, key):
        return Coalesce(
            Subquery(
                queryset.filter(**{key: OuterRef("pk")})
                .order_by()
                .values(key)
                .annotate(n=Count("*"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    if is_postgres():
        # One grouped pass per table instead of a correlated count per idea.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE ideas_idea AS i SET
                    support_count = COALESCE(s.n, 0), comment_count = COALESCE(c.n, 0)
                FROM ideas_idea AS j
                LEFT JOIN (SELECT idea_id, count(*) AS n FROM ideas_support
                           WHERE consultation_id = %(c)s GROUP BY idea_id) AS s
                       ON s.idea_id = j.id
                LEFT JOIN (SELECT idea_id, count(*) AS n FROM debate_comment
                           WHERE consultation_id = %(c)s AND idea_id IS NOT NULL
                             AND publication = 'published' AND NOT is_deleted
                           GROUP BY idea_id) AS c
                       ON c.idea_id = j.id
                WHERE i.id = j.id AND j.consultation_id = %(c)s
                  AND (i.support_count <> COALESCE(s.n, 0)
                       OR i.comment_count <> COALESCE(c.n, 0))
                """,
                {"c": consultation.pk},
            )
        Topic.objects.filter(consultation=consultation).update(
            comment_count=counted(Comment.objects.countable(), "topic")
        )
        return
    Idea.objects.filter(consultation=consultation).update(
        support_count=counted(Support.objects.all(), "idea"),
        comment_count=counted(Comment.objects.countable(), "idea"),
    )
    Topic.objects.filter(consultation=consultation).update(
        comment_count=counted(Comment.objects.countable(), "topic")
    )


def analyze() -> None:
    from bench.seed import analyze as analyze_tables

    analyze_tables("ideas_idea", "ideas_support", "debate_comment", "civic_user")


def seed(
    *,
    ideas: int,
    supports: int,
    comments: int,
    users: int,
    seed: int = 42,
    slug: str = BENCH_SLUG,
) -> SeedReport:
    """Add the given amounts to the benchmark consultation `slug` (created if needed)."""
    consultation = bench_consultation(slug)
    report = SeedReport(consultation_id=consultation.pk)

    def step(name, call):
        started = time.perf_counter()
        result = call()
        report.seconds[name] = time.perf_counter() - started
        return result

    with transaction.atomic():
        user_ids = step("users", lambda: seed_users(users, seed=seed))
        idea_ids = step("ideas", lambda: seed_ideas_for(consultation, ideas, seed=seed))
        report.users, report.ideas = len(user_ids), ideas
        report.supports = step(
            "supports",
            lambda: seed_supports(consultation, idea_ids, user_ids, supports, seed=seed),
        )
        report.comments = step(
            "comments", lambda: seed_comments(consultation, user_ids, comments, seed=seed)
        )
        step("counters", lambda: recount(consultation))
    step("analyze", analyze)
    return report
