"""Data exports: the sheets of a consultation's data and the writers for XLSX, CSV, JSON and
GeoJSON. Rows stream from the database in chunks and go straight to the file, so a consultation
with 100,000 rows never sits in memory whole.

Two variants: "public" holds what the public sees, anonymised; "full" (staff and councillors)
adds hidden and unpublished items, marked as such. Neither holds e-mail addresses, phone numbers
or a name its owner chose not to show: public exports name every author by a pseudonym that is
stable within the one export ("Participant 17"), full exports by the person's public name.

A sheet is a `Sheet` in `SHEETS`: ideas, comments, supports per idea, poll answers, the social
posts with the platforms' answers and engagement, and the arrivals from each channel per day.
"""

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from civic.models import User
from civic.reasons import public_reason_label
from civic.spreadsheets import formula_safe
from consultations.models import Consultation, DrawnAnswer, PollOption
from debate.models import Comment, PollAnswer
from ideas.models import Idea, Support
from social.models import PostState
from social.readback import METRIC_NAMES
from social.selectors import archive_records

from .models import SOURCE_CHOICES, Referral
from .permissions import FULL
from .selectors import public_comments, public_ideas

CHUNK_SIZE = 2_000


class Pseudonyms:
    """ "Participant N", numbered in order of first appearance within one export."""

    def __init__(self):
        self._numbers: dict[int, int] = {}

    def label(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        number = self._numbers.setdefault(user_id, len(self._numbers) + 1)
        return _("Participant %(number)s") % {"number": number}


@dataclass
class ExportContext:
    consultation: Consultation
    variant: str
    pseudonyms: Pseudonyms = field(default_factory=Pseudonyms)
    progress: Callable[[int], None] = lambda rows: None

    @property
    def full(self) -> bool:
        return self.variant == FULL

    names: dict[int, str] = field(default_factory=dict)

    def author(self, row: dict, prefix: str = "author") -> str:
        user_id = row[f"{prefix}_id"]
        if user_id is None:
            return ""
        if not self.full:
            return self.pseudonyms.label(user_id)
        name = self.names.get(user_id)
        if name is None:
            # The public name from the row's columns, without a query per author.
            name = User(
                display_name=row[f"{prefix}__display_name"] or "",
                show_name_publicly=row[f"{prefix}__show_name_publicly"],
                pseudonym_code=row[f"{prefix}__pseudonym_code"] or "",
                is_deleted=row[f"{prefix}__is_deleted"],
            ).public_name
            self.names[user_id] = name
        return name


AUTHOR_FIELDS = (
    "author_id",
    "author__display_name",
    "author__show_name_publicly",
    "author__pseudonym_code",
    "author__is_deleted",
)


@dataclass
class Column:
    key: str
    header: str
    full_only: bool = False


@dataclass
class Sheet:
    name: str  # file and sheet name, ASCII
    title: Callable[[], str]
    columns: list[Column]
    rows: Callable[[ExportContext], Iterator[dict]]
    count: Callable[[ExportContext], int]
    # Only in exports of consultations of this kind ("": every kind).
    kind: str = ""

    def applies_to(self, consultation: Consultation) -> bool:
        return not self.kind or consultation.kind == self.kind

    def columns_for(self, ctx: ExportContext) -> list[Column]:
        return [column for column in self.columns if ctx.full or not column.full_only]


def _local(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


# --- ideas -------------------------------------------------------------------------------------


def _ideas_queryset(ctx: ExportContext):
    if ctx.full:
        return Idea.objects.filter(consultation=ctx.consultation)
    return public_ideas(ctx.consultation)


IDEA_FIELDS = (
    "id",
    "reference",
    "title",
    "description",
    "category__name",
    "status",
    "publication",
    "is_hidden",
    "hidden_reason",
    "on_behalf_of",
    "latitude",
    "longitude",
    "address_label",
    "support_count",
    "comment_count",
    "answer",
    "answered_at",
    "duplicate_of__reference",
    "created_at",
    *AUTHOR_FIELDS,
)


def idea_rows(ctx: ExportContext) -> Iterator[dict]:
    rows = _ideas_queryset(ctx).order_by("number").values(*IDEA_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": row["id"],
            "reference": row["reference"],
            "title": row["title"],
            "description": row["description"],
            "category": row["category__name"] or "",
            "status": row["status"],
            "author": ctx.author(row),
            "on_behalf_of": row["on_behalf_of"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "address": row["address_label"],
            "supports": row["support_count"],
            "comments": row["comment_count"],
            "official_answer": row["answer"],
            "answered_at": row["answered_at"],
            "duplicate_of": row["duplicate_of__reference"] or "",
            "created_at": row["created_at"],
            "publication": row["publication"],
            "hidden": row["is_hidden"],
            "hidden_reason": public_reason_label(row["hidden_reason"]),
        }


IDEA_COLUMNS = [
    Column("id", "id"),
    Column("reference", "reference"),
    Column("title", "title"),
    Column("description", "description"),
    Column("category", "category"),
    Column("status", "status"),
    Column("author", "author"),
    # A name a planner typed for a paper submission: personal data the public does not get.
    Column("on_behalf_of", "on_behalf_of", full_only=True),
    Column("latitude", "latitude"),
    Column("longitude", "longitude"),
    Column("address", "address"),
    Column("supports", "supports"),
    Column("comments", "comments"),
    Column("official_answer", "official_answer"),
    Column("answered_at", "answered_at"),
    Column("duplicate_of", "duplicate_of"),
    Column("created_at", "created_at"),
    Column("publication", "publication", full_only=True),
    Column("hidden", "hidden", full_only=True),
    Column("hidden_reason", "hidden_reason", full_only=True),
]


# --- comments ----------------------------------------------------------------------------------


def _comments_queryset(ctx: ExportContext):
    if ctx.full:
        return Comment.objects.filter(consultation=ctx.consultation)
    return public_comments(ctx.consultation)


COMMENT_FIELDS = (
    "id",
    "parent_id",
    "root_id",
    "depth",
    "idea__reference",
    "topic__title",
    "stance",
    "is_official",
    "body",
    "upvotes",
    "downvotes",
    "created_at",
    "edited_at",
    "publication",
    "is_hidden",
    "hidden_reason",
    "is_deleted",
    "idea__is_hidden",
    "plan_feature_id",
    "plan_feature__name",
    "plan_feature__number",
    "plan_feature__layer__name",
    "anchor_longitude",
    "anchor_latitude",
    "anchor_fraction",
    *AUTHOR_FIELDS,
)


def comment_rows(ctx: ExportContext) -> Iterator[dict]:
    rows = _comments_queryset(ctx).order_by("id").values(*COMMENT_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": row["id"],
            "parent_id": row["parent_id"],
            "root_id": row["root_id"],
            "depth": row["depth"],
            "idea_reference": row["idea__reference"] or "",
            "topic": row["topic__title"] or "",
            "author": ctx.author(row),
            "stance": row["stance"],
            "official": row["is_official"],
            # What the author deleted stays deleted, in every variant.
            "body": "" if row["is_deleted"] else row["body"],
            "upvotes": row["upvotes"],
            "downvotes": row["downvotes"],
            "created_at": row["created_at"],
            "edited_at": row["edited_at"],
            "publication": row["publication"],
            "hidden": row["is_hidden"],
            "hidden_reason": public_reason_label(row["hidden_reason"]),
            "deleted": row["is_deleted"],
            # The public does not read a comment whose idea is hidden, even if the comment is.
            "idea_hidden": bool(row["idea__is_hidden"]),
            # The part of the plan a comment is about (debate: comments on the plan).
            "plan_feature_id": row["plan_feature_id"],
            "plan_feature": _feature_label(row),
            "anchor_longitude": row["anchor_longitude"],
            "anchor_latitude": row["anchor_latitude"],
            "anchor_fraction": row["anchor_fraction"],
        }


def _feature_label(row: dict) -> str:
    if row["plan_feature_id"] is None:
        return ""
    name = row["plan_feature__name"] or f"#{row['plan_feature__number']}"
    return f"{row['plan_feature__layer__name']} — {name}"


COMMENT_COLUMNS = [
    Column("id", "id"),
    Column("parent_id", "parent_id"),
    Column("root_id", "root_id"),
    Column("depth", "depth"),
    Column("idea_reference", "idea_reference"),
    Column("topic", "topic"),
    Column("author", "author"),
    Column("stance", "stance"),
    Column("official", "official"),
    Column("body", "body"),
    Column("upvotes", "upvotes"),
    Column("downvotes", "downvotes"),
    Column("created_at", "created_at"),
    Column("edited_at", "edited_at"),
    Column("publication", "publication", full_only=True),
    Column("hidden", "hidden", full_only=True),
    Column("hidden_reason", "hidden_reason", full_only=True),
    Column("deleted", "deleted", full_only=True),
    Column("idea_hidden", "idea_hidden", full_only=True),
    Column("plan_feature_id", "plan_feature_id"),
    Column("plan_feature", "plan_feature"),
    Column("anchor_longitude", "anchor_longitude"),
    Column("anchor_latitude", "anchor_latitude"),
    Column("anchor_fraction", "anchor_fraction"),
]


# --- supports per idea -------------------------------------------------------------------------


def _supports_queryset(ctx: ExportContext):
    supports = Support.objects.filter(consultation=ctx.consultation)
    if not ctx.full:
        supports = supports.filter(idea__publication="published", idea__is_hidden=False)
    return supports


def support_rows(ctx: ExportContext) -> Iterator[dict]:
    """Counts per idea, never who supported: a support is a private act."""
    rows = (
        _supports_queryset(ctx)
        .values("idea_id", "idea__reference", "idea__title", "idea__is_hidden")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by("idea__number")
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "idea_id": row["idea_id"],
            "idea_reference": row["idea__reference"],
            "idea_title": row["idea__title"],
            "supports": row["n"],
            "first_support_at": row["first"],
            "last_support_at": row["last"],
            "hidden": row["idea__is_hidden"],
        }


SUPPORT_COLUMNS = [
    Column("idea_id", "idea_id"),
    Column("idea_reference", "idea_reference"),
    Column("idea_title", "idea_title"),
    Column("supports", "supports"),
    Column("first_support_at", "first_support_at"),
    Column("last_support_at", "last_support_at"),
    Column("hidden", "hidden", full_only=True),
]


# --- poll answers ------------------------------------------------------------------------------


def poll_rows(ctx: ExportContext) -> Iterator[dict]:
    respondents = dict(
        PollAnswer.objects.filter(topic__consultation=ctx.consultation)
        .values_list("topic_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    options = (
        PollOption.objects.filter(topic__consultation=ctx.consultation)
        .annotate(n=Count("answers"))
        .order_by("topic__position", "topic_id", "position", "id")
        .values("topic_id", "topic__title", "topic__poll_question", "id", "label", "n")
    )
    for row in options:
        people = respondents.get(row["topic_id"], 0)
        yield {
            "topic": row["topic__title"],
            "question": row["topic__poll_question"],
            "option_id": row["id"],
            "option": row["label"],
            "answers": row["n"],
            "respondents": people,
            "percent_of_respondents": round(100 * row["n"] / people, 1) if people else 0,
        }


POLL_COLUMNS = [
    Column("topic", "topic"),
    Column("question", "question"),
    Column("option_id", "option_id"),
    Column("option", "option"),
    Column("answers", "answers"),
    Column("respondents", "respondents"),
    Column("percent_of_respondents", "percent_of_respondents"),
]


# --- social posts ------------------------------------------------------------------------------


def social_records(ctx: ExportContext) -> list[dict]:
    """social.selectors.archive_records for this export: the public variant holds the published
    posts only, with their visible comments; the full one every post that left the drafts."""
    records = archive_records(ctx.consultation)
    if ctx.full:
        return records
    public = []
    for record in records:
        if record["state"] != PostState.PUBLISHED:
            continue
        record = {key: value for key, value in record.items() if key not in SOCIAL_STAFF_KEYS}
        record["comments"] = [
            {key: value for key, value in comment.items() if key != "hidden_reason"}
            for comment in record["comments"]
            # Hidden here by a planner, or hidden on the platform itself from the inbox.
            if not comment["hidden"] and not comment.get("hidden_on_platform")
        ]
        public.append(record)
    return public


# What the planners' workflow left on a post, for staff only.
SOCIAL_STAFF_KEYS = frozenset(
    {"written_by", "approved_by", "approved_at", "scheduled_at", "platform_answer", "error"}
)


def social_rows(ctx: ExportContext) -> Iterator[dict]:
    for record in social_records(ctx):
        answer = record.get("platform_answer")
        yield {
            "id": record["id"],
            "platform": record["platform"],
            "channel": record["channel"],
            "state": record["state"],
            "published_at": record["published_at"],
            "text": record["text"],
            "link": record["link"],
            "image_alt_text": record["image_alt_text"],
            "remote_url": record["remote_url"],
            "remote_id": record["remote_id"],
            # None where the platform does not give the figure: an empty cell, never 0.
            **{name: record["engagement"][name] for name in METRIC_NAMES},
            "imported_comments": len(record["comments"]),
            "written_by": record.get("written_by"),
            "approved_by": record.get("approved_by"),
            "approved_at": record.get("approved_at"),
            "scheduled_at": record.get("scheduled_at"),
            "platform_answer": json.dumps(answer, ensure_ascii=False, sort_keys=True)
            if answer
            else "",
            "error": record.get("error", ""),
        }


SOCIAL_COLUMNS = [
    Column("id", "id"),
    Column("platform", "platform"),
    Column("channel", "channel"),
    Column("state", "state", full_only=True),
    Column("published_at", "published_at"),
    Column("text", "text"),
    Column("link", "link"),
    Column("image_alt_text", "image_alt_text"),
    Column("remote_url", "remote_url"),
    Column("remote_id", "remote_id"),
    *[Column(name, name) for name in METRIC_NAMES],
    Column("imported_comments", "imported_comments"),
    Column("written_by", "written_by", full_only=True),
    Column("approved_by", "approved_by", full_only=True),
    Column("approved_at", "approved_at", full_only=True),
    Column("scheduled_at", "scheduled_at", full_only=True),
    Column("platform_answer", "platform_answer", full_only=True),
    Column("error", "error", full_only=True),
]


# --- arrivals per channel and day --------------------------------------------------------------


def _referrals_queryset(ctx: ExportContext):
    return Referral.objects.filter(consultation=ctx.consultation, visits__gt=0)


def referral_rows(ctx: ExportContext) -> Iterator[dict]:
    labels = dict(SOURCE_CHOICES)
    rows = _referrals_queryset(ctx).order_by("day", "source").values("day", "source", "visits")
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "day": row["day"],
            "source": row["source"],
            "channel": str(labels.get(row["source"], row["source"])),
            "visits": row["visits"],
        }


REFERRAL_COLUMNS = [
    Column("day", "day"),
    Column("source", "source"),
    Column("channel", "channel"),
    Column("visits", "visits"),
]


# --- drawn answers of a map survey -----------------------------------------------------------


def _drawn_queryset(ctx: ExportContext):
    answers = DrawnAnswer.objects.filter(consultation=ctx.consultation)
    return answers if ctx.full else answers.public()


DRAWN_FIELDS = (
    "id",
    "question_id",
    "question__prompt",
    "question__kind",
    "geometry",
    "vertex_count",
    "comment",
    "created_at",
    "is_hidden",
    "hidden_reason",
    *AUTHOR_FIELDS,
)


def drawn_rows(ctx: ExportContext) -> Iterator[dict]:
    """Each drawn answer with its geometry as GeoJSON and as WKT text (WGS 84)."""
    import shapely

    rows = _drawn_queryset(ctx).order_by("question__position", "question_id", "id")
    for row in rows.values(*DRAWN_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": row["id"],
            "question_id": row["question_id"],
            "question": row["question__prompt"],
            "kind": row["question__kind"],
            "author": ctx.author(row),
            "comment": row["comment"],
            "points": row["vertex_count"],
            "geometry": row["geometry"],
            "wkt": shapely.from_geojson(row["geometry"]).wkt,
            "created_at": row["created_at"],
            "hidden": row["is_hidden"],
            "hidden_reason": public_reason_label(row["hidden_reason"]),
        }


DRAWN_COLUMNS = [
    Column("id", "id"),
    Column("question_id", "question_id"),
    Column("question", "question"),
    Column("kind", "kind"),
    Column("author", "author"),
    # Residents write the comment for the planners (the form says so), not for the public.
    Column("comment", "comment", full_only=True),
    Column("points", "points"),
    Column("geometry", "geometry_geojson"),
    Column("wkt", "geometry_wkt"),
    Column("created_at", "created_at"),
    Column("hidden", "hidden", full_only=True),
    Column("hidden_reason", "hidden_reason", full_only=True),
]


SHEETS: list[Sheet] = [
    Sheet(
        "ideas",
        lambda: _("Ideas"),
        IDEA_COLUMNS,
        idea_rows,
        lambda ctx: _ideas_queryset(ctx).count(),
    ),
    Sheet(
        "comments",
        lambda: _("Comments"),
        COMMENT_COLUMNS,
        comment_rows,
        lambda ctx: _comments_queryset(ctx).count(),
    ),
    Sheet(
        "supports",
        lambda: _("Supports per idea"),
        SUPPORT_COLUMNS,
        support_rows,
        lambda ctx: _ideas_queryset(ctx).count(),
    ),
    Sheet(
        "poll_answers",
        lambda: _("Poll answers"),
        POLL_COLUMNS,
        poll_rows,
        lambda ctx: PollOption.objects.filter(topic__consultation=ctx.consultation).count(),
    ),
    Sheet(
        "drawn_answers",
        lambda: _("Drawn answers"),
        DRAWN_COLUMNS,
        drawn_rows,
        lambda ctx: _drawn_queryset(ctx).count(),
        kind=Consultation.Kind.MAP_SURVEY,
    ),
    Sheet(
        "social",
        lambda: _("Social posts"),
        SOCIAL_COLUMNS,
        social_rows,
        lambda ctx: len(social_records(ctx)),
    ),
    Sheet(
        "referrals",
        lambda: _("Arrivals by channel"),
        REFERRAL_COLUMNS,
        referral_rows,
        lambda ctx: _referrals_queryset(ctx).count(),
    ),
]


def sheet(name: str) -> Sheet:
    return next(item for item in SHEETS if item.name == name)


# --- writers -----------------------------------------------------------------------------------


class Progress:
    """Reports rows written as a percentage of the expected rows, now and then."""

    def __init__(self, ctx: ExportContext, total: int, every: int = CHUNK_SIZE):
        self.ctx, self.total, self.every, self.done = ctx, max(total, 1), every, 0

    def step(self) -> None:
        self.done += 1
        if self.done % self.every == 0:
            self.ctx.progress(min(99, 100 * self.done // self.total))


# Control characters that XML (and so XLSX) cannot hold; tab, newline and return it can.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Text stays text: a comment that starts with "=" or looks like a number or an address is
# written as the resident typed it, never as a formula, number or link.
XLSX_OPTIONS = {
    "constant_memory": True,  # each row goes to disk once written: memory stays flat
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd hh:mm:ss",
}


def _xlsx_value(value, zone):
    # Exact class tests: this runs once per cell, a million times in a big export.
    kind = value.__class__
    if kind is str:
        # isprintable() is a fast test that nearly all text passes (line breaks do not).
        return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)
    if kind is datetime:
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0)
    return value


def write_xlsx(ctx: ExportContext, path, sheets: list[Sheet] | None = None) -> None:
    """The workbook, one sheet per `Sheet`, written row by row with XlsxWriter in constant-memory
    mode: memory stays flat however many rows, and a million cells take about two thirds of the
    time openpyxl's write-only mode took (bench/RESULTS.md, Reports)."""
    sheets = [item for item in sheets or SHEETS if item.applies_to(ctx.consultation)]
    progress = Progress(ctx, sum(item.count(ctx) for item in sheets))
    workbook = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    zone = timezone.get_current_timezone()
    try:
        for item in sheets:
            worksheet = workbook.add_worksheet(_sheet_title(item.title()))
            columns = item.columns_for(ctx)
            worksheet.write_row(0, 0, [column.header for column in columns])
            keys = [column.key for column in columns]
            write_row, value = worksheet.write_row, _xlsx_value
            for number, row in enumerate(item.rows(ctx), start=1):
                write_row(number, 0, [value(row[key], zone) for key in keys])
                progress.step()
    finally:
        workbook.close()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", " ", title)[:31]


def _csv_value(value):
    value = _local(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return formula_safe(value)


def write_csv(ctx: ExportContext, item: Sheet, stream) -> None:
    """UTF-8 with a byte order mark, so Excel reads æ, ø and å right. `stream` is text."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    columns = item.columns_for(ctx)
    writer.writerow([column.header for column in columns])
    progress = Progress(ctx, item.count(ctx))
    for row in item.rows(ctx):
        writer.writerow([_csv_value(row[column.key]) for column in columns])
        progress.step()


def _json_default(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)!r}")


def write_json_rows(ctx: ExportContext, item: Sheet, stream) -> None:
    """A JSON array of objects, written one row at a time."""
    columns = item.columns_for(ctx)
    stream.write("[")
    for index, row in enumerate(item.rows(ctx)):
        stream.write(",\n" if index else "\n")
        stream.write(
            json.dumps(
                {column.key: row[column.key] for column in columns},
                ensure_ascii=False,
                default=_json_default,
            )
        )
    stream.write("\n]\n")


def write_geojson(ctx: ExportContext, stream) -> None:
    """RFC 7946 FeatureCollection of the ideas (longitude first) with every exported column."""
    item = sheet("ideas")
    columns = [c for c in item.columns_for(ctx) if c.key not in ("latitude", "longitude")]
    progress = Progress(ctx, item.count(ctx))
    stream.write('{"type": "FeatureCollection", "features": [')
    for index, row in enumerate(item.rows(ctx)):
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {column.key: row[column.key] for column in columns},
        }
        stream.write(",\n" if index else "\n")
        stream.write(json.dumps(feature, ensure_ascii=False, default=_json_default))
        progress.step()
    stream.write("\n]}\n")


# --- map data: GeoPackage and plan layers ------------------------------------------------------

PLAN_FIELDS = ("feature_id", "number", "name", "kind", "layer", "legend", "attributes")


def _plan_rows(layer) -> Iterator[tuple]:
    import shapely

    features = layer.features.order_by("number").values_list(
        "pk", "number", "name", "kind", "properties", "geometry"
    )
    for pk, number, name, kind, properties, geometry in features.iterator(chunk_size=2000):
        values = (pk, number, name, kind, layer.name, layer.legend, json.dumps(properties))
        yield shapely.from_geojson(geometry), values


def write_geopackage(ctx: ExportContext, path: str) -> None:
    """The consultation's map as a GeoPackage: table `ideas` (points, with the columns of the
    ideas export and its rules on names) and one table per plan layer, in drawing order."""
    import shapely

    from maps import gpkg

    item = sheet("ideas")
    columns = [c for c in item.columns_for(ctx) if c.key not in ("latitude", "longitude")]
    rows = (
        (
            shapely.Point(row["longitude"], row["latitude"]),
            [_gpkg_value(row[column.key]) for column in columns],
        )
        for row in item.rows(ctx)
    )
    gpkg.add_table(path, "ideas", [c.key for c in columns], rows, append=False)
    taken = {"ideas"}
    for layer in ctx.consultation.plan_layers.order_by("position", "pk"):
        name = gpkg.table_name(f"plan_{layer.name}", taken)
        gpkg.add_table(path, name, PLAN_FIELDS, _plan_rows(layer), append=True)
    add_comment_anchors(ctx, path, taken)
    add_drawn_answers(ctx, path, taken)


DRAWN_GPKG_FIELDS = ("answer_id", "question_id", "question", "kind", "author", "created_at")


def add_drawn_answers(ctx: ExportContext, path: str, taken: set[str]) -> None:
    """Table `drawn_answers` of the GeoPackage: every drawn answer of a map survey (points,
    lines and areas in one table, with the question beside each), by the export's rules on
    names, hidden ones only in the full variant. The comment stays out of the public file."""
    import shapely

    from maps import gpkg

    if ctx.consultation.kind != Consultation.Kind.MAP_SURVEY:
        return
    fields = [*DRAWN_GPKG_FIELDS, *(("comment", "hidden") if ctx.full else ())]
    rows = [
        (
            shapely.from_geojson(row["geometry"]),
            [
                row["id"],
                row["question_id"],
                row["question"],
                row["kind"],
                row["author"],
                _gpkg_value(row["created_at"]),
                *((row["comment"], row["hidden"]) if ctx.full else ()),
            ],
        )
        for row in drawn_rows(ctx)
    ]
    name = gpkg.table_name("drawn_answers", taken)
    gpkg.add_table(path, name, fields, rows, append=True)


def write_drawn_geojson(ctx: ExportContext, stream) -> None:
    """The drawn answers as one RFC 7946 FeatureCollection, with the exported columns."""
    columns = [
        c for c in sheet("drawn_answers").columns_for(ctx) if c.key not in ("geometry", "wkt")
    ]
    stream.write('{"type": "FeatureCollection", "features": [')
    for index, row in enumerate(drawn_rows(ctx)):
        properties = json.dumps(
            {column.key: row[column.key] for column in columns},
            ensure_ascii=False,
            default=_json_default,
        )
        stream.write(",\n" if index else "\n")
        stream.write(
            f'{{"type": "Feature", "id": {int(row["id"])}, "geometry": {row["geometry"]}, '
            f'"properties": {properties}}}'
        )
    stream.write("\n]}\n")


COMMENT_ANCHOR_FIELDS = ("comment_id", "plan_feature_id", "fraction", "stance", "created_at")


def add_comment_anchors(ctx: ExportContext, path: str, taken: set[str]) -> None:
    """Table `comment_anchors` of the GeoPackage: the point of each public comment on the plan
    (no text, no author), with its feature, fraction along a line, stance and date."""
    import shapely

    from maps import gpkg

    rows = (
        public_comments(ctx.consultation)
        .filter(
            plan_feature__isnull=False,
            anchor_longitude__isnull=False,
            is_hidden=False,
            is_deleted=False,
        )
        .order_by("id")
        .values_list(
            "anchor_longitude",
            "anchor_latitude",
            "id",
            "plan_feature_id",
            "anchor_fraction",
            "stance",
            "created_at",
        )
    )
    points = [
        (shapely.Point(lon, lat), [pk, feature, fraction, stance, _gpkg_value(created)])
        for lon, lat, pk, feature, fraction, stance, created in rows.iterator(chunk_size=2000)
    ]
    if points:
        name = gpkg.table_name("comment_anchors", taken)
        gpkg.add_table(path, name, COMMENT_ANCHOR_FIELDS, points, append=True)


def _gpkg_value(value):
    if isinstance(value, datetime):
        return _local(value).isoformat(sep=" ")
    return value


def write_plan_geojson(ctx: ExportContext, stream) -> None:
    """Every plan layer's features as one RFC 7946 FeatureCollection, with the layer's name,
    legend and style in each feature's properties (as drawn on the map)."""
    stream.write('{"type": "FeatureCollection", "features": [')
    index = 0
    for layer in ctx.consultation.plan_layers.order_by("position", "pk"):
        features = layer.features.order_by("number").values_list(
            "pk", "number", "name", "kind", "properties", "geometry"
        )
        for pk, number, name, kind, properties, geometry in features.iterator(chunk_size=2000):
            properties = {
                "layer": layer.name,
                "legend": layer.legend,
                "stroke": layer.colour,
                "stroke-width": layer.line_width,
                "fill": layer.fill_colour,
                "fill-opacity": layer.fill_opacity / 100,
                "number": number,
                "name": name,
                "kind": kind,
                "attributes": properties,
            }
            stream.write(",\n" if index else "\n")
            stream.write(
                f'{{"type": "Feature", "id": {int(pk)}, "geometry": {geometry}, '
                f'"properties": {json.dumps(properties, ensure_ascii=False)}}}'
            )
            index += 1
    stream.write("\n]}\n")
