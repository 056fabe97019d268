"""The archive package of a closed consultation, for the municipal records system: the PDF
briefing, all data as JSON and CSV, the ideas (and a map survey's drawn answers) as GeoJSON,
the photos, the moderation log and `manifest.json` listing every file with its SHA-256
checksum and size.

What was posted on the social channels is there as `social.json` (every post with who wrote and
approved it, the platform's answer, the engagement and the imported public comments) and
`social.csv` (one row per post); the arrivals from each channel are data/referrals.*."""

import csv
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile

from django.utils import timezone

from civic.audit import actor_is_private
from civic.models import AuditEntry, User
from debate.models import Comment
from ideas.models import Idea, IdeaImage

from . import exports
from .exports import ExportContext

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
MANIFEST = "manifest.json"
# The social sheet goes to the package's top level as social.json (with the comments nested)
# and social.csv, not among the flat data files.
SOCIAL = "social"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _scrub(value):
    """Audit entries recorded who acted by e-mail; the archive names people without it."""
    if isinstance(value, str):
        return EMAIL.sub("[e-mail removed]", value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


# What an entry about a contribution may carry into the archive besides the names of the
# changed fields. Free text is left out: an author's earlier wording, a name typed for a paper
# submission or a moderator's "original" may hold exactly what a moderator edited out.
CONTRIBUTION_TYPES = frozenset({"idea", "comment", "ideaimage"})
CHANGE_VALUES_KEPT = frozenset({"status", "new_account", "count", "photos"})
NOT_EXPORTED = "[not exported]"
# In the public archive, why an action was taken is kept for the consultation's own steps
# (closing it, publishing results); moderators' and channel notes are internal.
PUBLIC_REASON_PREFIXES = ("consultation.",)
# The public log names the consultation's own parts; a person, a block, a report, an appeal or
# an export job it lists by type only.
PUBLIC_OBJECT_TYPES = frozenset({"consultation", "phase", "category", "topic", "socialpost"})


def _without_original(value):
    """The moderator's original text stays in the database (legal hold), never in a file."""
    if isinstance(value, dict):
        return {key: _without_original(item) for key, item in value.items() if key != "original"}
    if isinstance(value, list):
        return [_without_original(item) for item in value]
    return value


def _changes(entry: AuditEntry, object_type: str) -> dict:
    changes = _without_original(entry.changes or {})
    if object_type in CONTRIBUTION_TYPES:
        changes = {
            key: value if key in CHANGE_VALUES_KEPT else NOT_EXPORTED
            for key, value in changes.items()
        }
    return _scrub(changes)


def _contribution_names(ctx: ExportContext) -> dict[str, dict[str, str]]:
    """The contributions the log may name, by type, as they read now. What was recorded at the
    time is not used: a title may have held what a moderator later edited out. The public log
    names only what the public may read, and comments by number only."""
    from .selectors import public_comments, public_ideas

    ideas = Idea.objects.filter(consultation=ctx.consultation)
    comments = Comment.objects.filter(consultation=ctx.consultation)
    if not ctx.full:
        ideas, comments = public_ideas(ctx.consultation), public_comments(ctx.consultation)
    return {
        "idea": {
            str(pk): f"{reference} {title}"
            for pk, reference, title in ideas.values_list("pk", "reference", "title")
        },
        "comment": {str(pk): f"#{pk}" for pk in comments.values_list("pk", flat=True)},
    }


def _who(entry: AuditEntry, ctx: ExportContext) -> str:
    actor: User | None = entry.actor
    if actor_is_private(entry.action):
        return ""  # who supported or reported something is named in no variant
    if actor is None:
        return "system"
    if not ctx.full:
        return actor.role  # the public log says which role acted, never who
    return f"{actor.public_name} ({actor.role})"


def audit_rows(ctx: ExportContext, names: dict[str, dict[str, str]] | None = None):
    """The consultation's audit log as archive rows. Both variants leave out supporters' and
    reporters' identities and whatever a moderator edited out; the public one also the hidden
    items' titles, internal notes and the changes' details. `names`: `_contribution_names(ctx)`,
    when the caller already has them (the archive writes the log twice, as JSON and CSV)."""
    names = _contribution_names(ctx) if names is None else names
    entries = (
        AuditEntry.objects.filter(consultation_id=ctx.consultation.pk)
        .select_related("actor", "content_type")
        .order_by("created_at", "id")
    )
    for entry in entries.iterator(chunk_size=exports.CHUNK_SIZE):
        object_type = entry.content_type.model if entry.content_type else ""
        row = {
            "id": entry.id,
            "when": timezone.localtime(entry.created_at).isoformat(),
            "who": _who(entry, ctx),
            "what": entry.action,
            "object_type": object_type,
            "object_id": entry.object_id,
            "object": _scrub(entry.object_repr),
            "why": _scrub(entry.reason),
            "changes": _changes(entry, object_type),
        }
        if object_type in CONTRIBUTION_TYPES:
            row["object"] = names.get(object_type, {}).get(entry.object_id, "")
        if not ctx.full:
            if object_type not in PUBLIC_OBJECT_TYPES | CONTRIBUTION_TYPES:
                row["object"], row["object_id"] = "", ""
            if not entry.action.startswith(PUBLIC_REASON_PREFIXES):
                row["why"], row["changes"] = "", {}
        yield row


AUDIT_COLUMNS = ["id", "when", "who", "what", "object_type", "object_id", "object", "why"]


def consultation_record(consultation) -> dict:
    return {
        "title": consultation.title,
        "slug": consultation.slug,
        "kind": consultation.kind,
        "status": consultation.status,
        "language": consultation.language,
        "summary": consultation.summary,
        "body": consultation.body,
        "hashtag": consultation.hashtag,
        "area": consultation.area,
        "results": consultation.results,
        "results_published_at": consultation.results_published_at.isoformat()
        if consultation.results_published_at
        else None,
        "phases": [
            {
                "kind": phase.kind,
                "name": phase.display_name,
                "starts_at": phase.starts_at.isoformat(),
                "ends_at": phase.ends_at.isoformat(),
            }
            for phase in consultation.phases.all()
        ],
        "categories": list(consultation.categories.values("name", "colour")),
        "topics": list(consultation.topics.values("id", "title", "introduction", "poll_question")),
    }


def write_archive(ctx: ExportContext, path: str) -> None:
    consultation = ctx.consultation
    outer_progress = ctx.progress
    data_sheets = [
        item for item in exports.SHEETS if item.name != SOCIAL and item.applies_to(consultation)
    ]
    steps = 8 + 2 * len(data_sheets)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        outer_progress(min(99, 100 * done // steps))

    # Sub-writers report their own percentages; the archive reports whole steps instead.
    ctx.progress = lambda percent: None
    manifest = []
    with (
        tempfile.TemporaryDirectory() as workdir,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):

        def add(member: str, writer, mode: str = "w") -> None:
            local = os.path.join(workdir, "member")
            if mode == "wb":
                with open(local, "wb") as out:
                    writer(out)
            else:
                with open(local, "w", encoding="utf-8", newline="") as out:
                    writer(out)
            manifest.append(
                {"path": member, "sha256": _sha256(local), "size": os.path.getsize(local)}
            )
            archive.write(local, member)
            os.remove(local)

        from .documents import render_pdf

        pdf = render_pdf(consultation, include_hidden_counts=ctx.full)
        add("summary.pdf", lambda out: out.write(pdf), "wb")
        step()
        add(
            "consultation.json",
            lambda out: json.dump(
                consultation_record(consultation), out, ensure_ascii=False, indent=2
            ),
        )
        for item in data_sheets:
            add(
                f"data/{item.name}.json",
                lambda out, item=item: exports.write_json_rows(ctx, item, out),
            )
            step()
            add(f"data/{item.name}.csv", lambda out, item=item: exports.write_csv(ctx, item, out))
            step()
        add("data/ideas.geojson", lambda out: exports.write_geojson(ctx, out))
        step()
        add("data/plan-layers.geojson", lambda out: exports.write_plan_geojson(ctx, out))
        step()
        add("data/drawn-answers.geojson", lambda out: exports.write_drawn_geojson(ctx, out))
        step()

        def write_geopackage(out) -> None:
            local = os.path.join(workdir, "map.gpkg")
            exports.write_geopackage(ctx, local)
            with open(local, "rb") as source:
                shutil.copyfileobj(source, out)
            os.remove(local)

        add("data/map.gpkg", write_geopackage, "wb")
        step()
        add(
            "social.json",
            lambda out: json.dump(exports.social_records(ctx), out, ensure_ascii=False, indent=2),
        )
        add(
            "social.csv",
            lambda out: exports.write_csv(ctx, exports.sheet(SOCIAL), out),
        )
        step()

        names = _contribution_names(ctx)

        def write_audit_json(out) -> None:
            out.write("[")
            for index, row in enumerate(audit_rows(ctx, names)):
                out.write(",\n" if index else "\n")
                out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n]\n")

        def write_audit_csv(out) -> None:
            out.write("\ufeff")
            writer = csv.writer(out)
            writer.writerow(AUDIT_COLUMNS)
            for row in audit_rows(ctx, names):
                writer.writerow([row[key] for key in AUDIT_COLUMNS])

        add("moderation_log.json", write_audit_json)
        add("moderation_log.csv", write_audit_csv)
        step()

        images = IdeaImage.objects.filter(idea__consultation=consultation).select_related("idea")
        if not ctx.full:
            images = images.filter(idea__publication="published", idea__is_hidden=False)
        for image in images.order_by("idea__number", "position", "id").iterator(
            chunk_size=exports.CHUNK_SIZE
        ):
            member = (
                f"photos/{image.idea.reference}/{image.pk}-{os.path.basename(image.image.name)}"
            )
            try:
                with image.image.open("rb") as source:
                    data = source.read()
            except (FileNotFoundError, OSError):
                continue  # a photo lost from storage must not block the archive of the rest
            add(member, lambda out, data=data: out.write(data), "wb")
        step()

        archive.writestr(
            MANIFEST,
            json.dumps(
                {
                    "consultation": consultation.slug,
                    "title": consultation.title,
                    "variant": ctx.variant,
                    "generated_at": timezone.localtime().isoformat(),
                    "algorithm": "sha256",
                    "files": manifest,
                },
                ensure_ascii=False,
                indent=2,
            ),
        )
    ctx.progress = outer_progress


def verify_archive(path_or_file) -> list[str]:
    """The members whose checksum does not match the manifest (or that are missing/extra)."""
    problems = []
    with zipfile.ZipFile(path_or_file) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        listed = {entry["path"]: entry for entry in manifest["files"]}
        present = set(archive.namelist()) - {MANIFEST}
        problems.extend(sorted(present ^ set(listed)))
        for member in present & set(listed):
            if hashlib.sha256(archive.read(member)).hexdigest() != listed[member]["sha256"]:
                problems.append(member)
    return problems
