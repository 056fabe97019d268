"""Personal data planted through the real services, then looked for in every export and in the
archive: the moderator's edited-out text never leaves the database; supporters, reporters,
hidden items and internal notes stay out of the public variant; supporters and reporters are
named in no variant.
"""

import csv
import io
import json
import zipfile

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from ideas.services import idea_support
from moderation import services as moderation
from reports.exports import ExportContext
from reports.formats import build_bytes
from tests import factories
from tests.debate.factories import CommentFactory

EDITED_PHONE = "+47 912 34 567"
EDITED_STREET = "Storgata 17B"
SUPPORTER = "Sigrid Supportsen"
SUPPORTER_EMAIL = "sigrid.supportsen@canary.example"
REPORTER = "Rasmus Reportersen"
REPORTER_EMAIL = "rasmus.reportersen@canary.example"
HIDDEN_TITLE = "Hidden canary title"
HIDDEN_TEXT = "Hidden canary text about the neighbour"
NOTE = "Internal note: author is the mayor's nephew"
AUTHOR_EMAIL = "author.canary@canary.example"


@pytest.fixture
def canaries(db, planner):
    consultation = factories.ConsultationFactory(title="Canary harbour", language="en")
    author = factories.UserFactory(
        email=AUTHOR_EMAIL, display_name="Anne Author", show_name_publicly=False, phone="+4711111"
    )
    supporter = factories.UserFactory(
        email=SUPPORTER_EMAIL, display_name=SUPPORTER, show_name_publicly=True
    )
    reporter = factories.UserFactory(
        email=REPORTER_EMAIL, display_name=REPORTER, show_name_publicly=True
    )
    edited = factories.IdeaFactory(
        consultation=consultation,
        author=author,
        title="A bench by the water",
        description=f"Ring me on {EDITED_PHONE}, I live at {EDITED_STREET}.",
    )
    moderation.item_edit(
        actor=planner,
        target=edited,
        text="Ring me on [removed], I live at [removed].",
        title=None,
        note=NOTE,
    )
    hidden = factories.IdeaFactory(
        consultation=consultation, author=author, title=HIDDEN_TITLE, description=HIDDEN_TEXT
    )
    idea_support(user=supporter, idea=edited)
    idea_support(user=supporter, idea=hidden)
    moderation.report_create(reporter=reporter, target=hidden, reason="offensive", text="Rude")
    moderation.items_act(
        actor=planner,
        action="hide",
        keys=[f"idea:{hidden.pk}"],
        public_reason="offensive",
        note=NOTE,
    )
    CommentFactory(idea=hidden, topic=None, author=author, body="A comment on a hidden idea")
    moderation.user_block(
        actor=planner, user=author, consultation=consultation, days=7, reason=NOTE, target=hidden
    )
    consultation.status = "closed"
    consultation.save()
    return consultation


def _archive(consultation, variant) -> dict[str, str]:
    data = build_bytes(ExportContext(consultation=consultation, variant=variant), "archive.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if not name.endswith((".pdf", ".jpg", ".png"))
        }


EVERYWHERE_FORBIDDEN = (EDITED_PHONE, EDITED_STREET, SUPPORTER, SUPPORTER_EMAIL, REPORTER)
EVERYWHERE_FORBIDDEN += (REPORTER_EMAIL, AUTHOR_EMAIL)


@pytest.mark.parametrize("variant", ["public", "full"])
def test_archive_never_puts_back_what_a_moderator_edited_out(canaries, variant):
    members = _archive(canaries, variant)
    log = json.loads(members["moderation_log.json"])
    assert any(row["what"] == "moderation.edit" for row in log)
    for name, text in members.items():
        for canary in EVERYWHERE_FORBIDDEN:
            assert canary not in text, f"{canary!r} in {name} ({variant})"
    # The original is still in the database, for the legal hold.
    from civic.models import AuditEntry

    entry = AuditEntry.objects.get(action="moderation.edit")
    assert EDITED_PHONE in json.dumps(entry.changes, ensure_ascii=False)


def test_public_archive_holds_no_hidden_item_or_internal_note(canaries):
    members = _archive(canaries, "public")
    for name, text in members.items():
        for canary in (HIDDEN_TITLE, HIDDEN_TEXT, NOTE, "A comment on a hidden idea"):
            assert canary not in text, f"{canary!r} in {name}"
    log = list(csv.DictReader(io.StringIO(members["moderation_log.csv"].lstrip("\ufeff"))))
    supports = [row for row in log if row["what"] == "idea.support"]
    assert len(supports) == 2 and all(row["who"] == "" for row in supports)
    # Whom a moderator blocked is no public record.
    blocks = [row for row in log if row["what"] == "moderation.block"]
    assert blocks and all(row["object"] == row["object_id"] == "" for row in blocks)


def test_full_archive_keeps_staff_data_but_no_private_actor(canaries):
    members = _archive(canaries, "full")
    log = json.loads(members["moderation_log.json"])
    # Staff get the hidden item and the moderator's note ...
    assert HIDDEN_TITLE in members["data/ideas.json"]
    assert any(row["why"] == NOTE for row in log)
    # ... but not who supported or reported it.
    private = [row for row in log if row["what"] in ("idea.support", "moderation.report")]
    assert len(private) == 3 and all(row["who"] == "" for row in private)


def _all_export_text(consultation, variant) -> dict[str, str]:
    ctx = lambda: ExportContext(consultation=consultation, variant=variant)  # noqa: E731
    texts = {}
    for name in ("ideas.csv", "comments.csv", "ideas.geojson"):
        texts[name] = build_bytes(ctx(), name).decode("utf-8")
    workbook = load_workbook(io.BytesIO(build_bytes(ctx(), "data.xlsx")), read_only=True)
    texts["data.xlsx"] = "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    document = Document(io.BytesIO(build_bytes(ctx(), "summary.docx")))
    texts["summary.docx"] = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    return texts


@pytest.mark.parametrize("variant", ["public", "full"])
def test_no_export_holds_edited_out_text_or_private_actors(canaries, variant):
    for name, text in _all_export_text(canaries, variant).items():
        for canary in EVERYWHERE_FORBIDDEN:
            assert canary not in text, f"{canary!r} in {name} ({variant})"


def test_full_comments_export_marks_comments_on_hidden_ideas(canaries):
    text = build_bytes(ExportContext(consultation=canaries, variant="full"), "comments.csv")
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8").lstrip("\ufeff"))))
    on_hidden = [row for row in rows if row["body"] == "A comment on a hidden idea"]
    assert len(on_hidden) == 1
    assert on_hidden[0]["idea_hidden"] == "yes"
    assert on_hidden[0]["hidden"] == "no"  # the comment itself was not hidden


def test_the_canaries_are_planted(canaries):
    # Guards the guards: the canaries are really in the database where the rules keep them.
    from ideas.models import Idea

    hidden = Idea.objects.get(title=HIDDEN_TITLE)
    assert hidden.is_hidden and hidden.description == HIDDEN_TEXT
    assert canaries.state() == "closed" and timezone.now()
