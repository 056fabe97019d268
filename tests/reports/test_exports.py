"""Every export read back with the library a recipient would use, and searched byte by byte for
personal data that must not be in it."""

import csv
import hashlib
import io
import json
import zipfile

import jsonschema
import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.archive import verify_archive
from reports.exports import ExportContext
from reports.formats import build_bytes

from .conftest import HIDDEN_NAME, PHONE

GEOJSON_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"const": "Point"},
                            "coordinates": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 2,
                                "prefixItems": [
                                    {"type": "number", "minimum": -180, "maximum": 180},
                                    {"type": "number", "minimum": -90, "maximum": 90},
                                ],
                            },
                        },
                    },
                    "properties": {
                        "type": "object",
                        "required": ["reference", "title", "status", "supports", "author"],
                    },
                },
            },
        },
    },
}


def export(data, name, variant="public") -> bytes:
    return build_bytes(ExportContext(consultation=data.consultation, variant=variant), name)


def all_bytes(blob: bytes) -> bytes:
    """The file and, for ZIP containers (XLSX, DOCX, archive), every member unpacked."""
    parts = [blob]
    if blob[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            for member in archive.namelist():
                parts.append(all_bytes(archive.read(member)))
    if blob[:4] == b"%PDF":
        parts.append(pdf_text(blob).encode())
    return b"\n".join(parts)


def pdf_text(blob: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages)


def forbidden(data) -> list[bytes]:
    words = [HIDDEN_NAME, PHONE, "private.example"]
    people = [*data.people, data.hidden_name_person]
    words += [person.email for person in people]
    return [word.encode() for word in words] + [HIDDEN_NAME.encode("utf-16-le")]


PUBLIC_NAMES = [
    "summary.pdf",
    "summary.docx",
    "data.xlsx",
    "ideas.csv",
    "comments.csv",
    "ideas.geojson",
    "map.gpkg",
]


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_public_exports_hold_no_personal_data_or_hidden_content(report_data, name):
    content = all_bytes(export(report_data, name))
    for word in forbidden(report_data):
        assert word not in content, f"{word!r} found in {name}"
    for hidden in (b"Insulting idea", b"Hidden rant", b"Deleted words", b"On hidden idea"):
        assert hidden not in content, f"{hidden!r} found in {name}"


@pytest.mark.parametrize("name", [*PUBLIC_NAMES, "archive.zip"])
def test_full_exports_hold_no_e_mail_phone_or_hidden_name(report_data, name):
    content = all_bytes(export(report_data, name, "full"))
    for word in forbidden(report_data):
        assert word not in content, f"{word!r} found in {name}"


def test_xlsx_sheets_read_back(report_data):
    workbook = load_workbook(io.BytesIO(export(report_data, "data.xlsx")), read_only=True)
    assert workbook.sheetnames == [
        "Ideas",
        "Comments",
        "Supports per idea",
        "Poll answers",
        "Social posts",
        "Arrivals by channel",
    ]
    ideas = list(workbook["Ideas"].values)
    header, rows = ideas[0], ideas[1:]
    assert "hidden" not in header and "on_behalf_of" not in header
    by_title = {row[header.index("title")]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_title) == {"Harbour bath", "Floating sauna", "More trees", "A quiet bench"}
    assert by_title["Harbour bath"]["supports"] == 5
    assert by_title["Harbour bath"]["official_answer"] == "We will build it in 2027."
    assert by_title["Harbour bath"]["author"].startswith("Participant ")

    comments = list(workbook["Comments"].values)
    c_header, c_rows = comments[0], comments[1:]
    assert len(c_rows) == report_data.expected["comments"]
    reply = next(r for r in c_rows if r[c_header.index("id")] == report_data.expected["reply_id"])
    assert reply[c_header.index("parent_id")] is not None
    assert reply[c_header.index("topic")] == "A bridge?"
    on_idea = next(r for r in c_rows if r[c_header.index("body")] == "Great idea!")
    assert on_idea[c_header.index("idea_reference")] == report_data.ideas["bath"].reference

    # One person, one pseudonym across the sheets of the export: the secretive author wrote the
    # bath idea and the reply.
    assert reply[c_header.index("author")] == by_title["Harbour bath"]["author"]

    supports = {row[1]: row[3] for row in list(workbook["Supports per idea"].values)[1:]}
    assert supports == {
        report_data.ideas["bath"].reference: 5,
        report_data.ideas["sauna"].reference: 4,
        report_data.ideas["trees"].reference: 2,
    }
    polls = list(workbook["Poll answers"].values)[1:]
    assert [(row[3], row[4], row[5]) for row in polls] == [("Red", 3, 4), ("Blue", 1, 4)]


def test_full_xlsx_marks_hidden_items(report_data):
    workbook = load_workbook(io.BytesIO(export(report_data, "data.xlsx", "full")), read_only=True)
    rows = list(workbook["Ideas"].values)
    header = rows[0]
    hidden = next(r for r in rows[1:] if r[header.index("title")] == "Insulting idea")
    assert hidden[header.index("hidden")] is True
    assert hidden[header.index("hidden_reason")] == "Insults"
    # Public names, never a name its owner keeps private.
    sauna = next(r for r in rows[1:] if r[header.index("title")] == "Floating sauna")
    assert sauna[header.index("author")] == "Open Olsen"
    assert len(rows) - 1 == 6


def test_csv_has_bom_and_reads_back(report_data):
    blob = export(report_data, "ideas.csv")
    assert blob.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"))))
    assert len(rows) == report_data.expected["ideas"]
    assert {row["title"] for row in rows} >= {"Harbour bath", "A quiet bench"}
    comments = list(
        csv.DictReader(io.StringIO(export(report_data, "comments.csv").decode("utf-8-sig")))
    )
    assert len(comments) == report_data.expected["comments"]


def test_csv_and_xlsx_neutralise_formulas(report_data):
    idea = report_data.ideas["bench"]
    idea.title = '=HYPERLINK("http://evil")'
    idea.save()
    rows = list(csv.DictReader(io.StringIO(export(report_data, "ideas.csv").decode("utf-8-sig"))))
    assert any(row["title"] == '\'=HYPERLINK("http://evil")' for row in rows)
    workbook = load_workbook(io.BytesIO(export(report_data, "data.xlsx")))
    cells = [
        c
        for row in workbook["Ideas"].iter_rows()
        for c in row
        if c.value and str(c.value).startswith("=HYPERLINK")
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_xlsx_keeps_text_as_typed_without_what_xml_cannot_hold(report_data):
    idea = report_data.ideas["bench"]
    idea.title = "Bench\x0b by the water\x1f, 0045 12"
    idea.description = "www.example.org\nline two"
    idea.save()
    workbook = load_workbook(io.BytesIO(export(report_data, "data.xlsx")))
    values = [c.value for row in workbook["Ideas"].iter_rows() for c in row]
    assert "Bench by the water, 0045 12" in values  # not a number, no control characters
    assert "www.example.org\nline two" in values  # not a link, the line break kept


def test_geojson_schema_and_values(report_data):
    collection = json.loads(export(report_data, "ideas.geojson"))
    jsonschema.validate(collection, GEOJSON_SCHEMA)
    assert len(collection["features"]) == report_data.expected["ideas"]
    bath = next(f for f in collection["features"] if f["properties"]["title"] == "Harbour bath")
    idea = report_data.ideas["bath"]
    assert bath["geometry"]["coordinates"] == [idea.longitude, idea.latitude]
    assert bath["properties"]["category"] == "Bathing"
    assert bath["properties"]["official_answer"] == "We will build it in 2027."


def test_pdf_briefing_text(report_data):
    blob = export(report_data, "summary.pdf")
    reader = PdfReader(io.BytesIO(blob))
    pages = len(reader.pages)
    assert pages >= 3
    text = pdf_text(blob)
    assert "Harbour baths" in text
    assert "Contents" in text and "Key figures" in text
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    assert "Harbour bath" in text and "We will build it in 2027." in text
    assert "Bridges connect." in text
    # The table of contents carries page numbers filled in by target-counter().
    toc_line = next(line for line in text.splitlines() if line.startswith("Most supported ideas"))
    assert toc_line.rstrip()[-1].isdigit()


def test_pdf_is_in_the_consultation_language(report_data):
    consultation = report_data.consultation
    consultation.language = "da"
    consultation.save()
    text = pdf_text(export(report_data, "summary.pdf"))
    assert "Nøgletal" in text
    assert "Key figures" not in text


def test_docx_headings_tables_and_charts(report_data):
    document = Document(io.BytesIO(export(report_data, "summary.docx")))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == "Harbour baths"
    assert "Key figures" in headings and "Most supported ideas" in headings
    figures = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    assert figures["Ideas"] == str(report_data.expected["ideas"])
    assert figures["Supports"] == str(report_data.expected["supports"])
    assert figures["Participants"] == str(report_data.expected["participants"])
    pictures = document.inline_shapes
    assert len(pictures) >= 4  # over time, categories, status, poll, map


def test_archive_package_checksums(report_data, closed):
    blob = export(report_data, "archive.zip", "full")
    assert verify_archive(io.BytesIO(blob)) == []
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            content = archive.read(entry["path"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content) == entry["size"]
        assert {entry["path"] for entry in manifest["files"]} == names - {"manifest.json"}
        assert {
            "summary.pdf",
            "consultation.json",
            "data/ideas.json",
            "data/ideas.csv",
            "data/comments.json",
            "data/comments.csv",
            "data/supports.csv",
            "data/poll_answers.json",
            "data/ideas.geojson",
            "data/plan-layers.geojson",
            "data/map.gpkg",
            "moderation_log.json",
            "moderation_log.csv",
        } <= names
        assert any(name.startswith("photos/") for name in names)
        log = json.loads(archive.read("moderation_log.json"))
        assert [entry["what"] for entry in log] == ["moderation.hide"]
        assert "@" not in log[0]["who"]
        ideas = json.loads(archive.read("data/ideas.json"))
        assert len(ideas) == 6  # the full variant keeps hidden and pending ideas, marked


def test_verify_archive_notices_tampering(report_data, closed, tmp_path):
    blob = export(report_data, "archive.zip", "full")
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as source, zipfile.ZipFile(tampered, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            if member == "data/ideas.csv":
                content += b"forged,row\n"
            target.writestr(member, content)
    assert verify_archive(io.BytesIO(tampered.getvalue())) == ["data/ideas.csv"]


def test_social_sheet_reads_back_with_engagement_and_answer(social_data):
    workbook = load_workbook(io.BytesIO(export(social_data, "data.xlsx", "full")), read_only=True)
    values = list(workbook["Social posts"].values)
    rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    by_id = {row["id"]: row for row in rows}
    posts = social_data.posts
    # Every post that left the drafts, the failed one with its error; never the draft.
    assert set(by_id) == {posts[name].pk for name in ("facebook", "x", "mastodon", "failed")}
    facebook = by_id[posts["facebook"].pk]
    assert (facebook["platform"], facebook["reach"], facebook["reactions"]) == (
        "facebook",
        1200,
        30,
    )
    assert facebook["views"] is None  # not given by the platform: empty, never 0
    assert json.loads(facebook["platform_answer"])["id"] == "fb-answer-1"
    assert facebook["imported_comments"] == 2 and facebook["approved_by"] == "Approving Anna"
    assert by_id[posts["x"].pk]["views"] == 800 and by_id[posts["x"].pk]["reach"] is None
    assert by_id[posts["failed"].pk]["error"] == "Token expired at the platform"


def test_public_social_sheet_holds_published_posts_only(social_data):
    workbook = load_workbook(io.BytesIO(export(social_data, "data.xlsx")), read_only=True)
    values = list(workbook["Social posts"].values)
    header, rows = values[0], values[1:]
    assert {"platform_answer", "error", "written_by", "state"}.isdisjoint(header)
    assert len(rows) == 3
    facebook = next(row for row in rows if row[header.index("platform")] == "facebook")
    assert facebook[header.index("imported_comments")] == 1  # the hidden comment left out


def test_referrals_sheet_reads_back(social_data):
    workbook = load_workbook(io.BytesIO(export(social_data, "data.xlsx")), read_only=True)
    values = list(workbook["Arrivals by channel"].values)
    assert values[0] == ("day", "source", "channel", "visits")
    rows = [(row[0].date(), row[1], row[3]) for row in values[1:]]
    first, last = social_data.expected["first_day"], social_data.expected["last_day"]
    assert rows == [
        (first, "embed", 7),
        (first, "facebook", 10),
        (last, "facebook", 5),
        (last, "x", 3),
    ]


def test_archive_holds_social_posts_and_arrivals(social_data, closed):
    blob = export(social_data, "archive.zip", "full")
    assert verify_archive(io.BytesIO(blob)) == []
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = set(archive.namelist())
        manifest = {entry["path"] for entry in json.loads(archive.read("manifest.json"))["files"]}
        assert {"social.json", "social.csv", "data/referrals.json", "data/referrals.csv"} <= (
            names & manifest
        )
        assert "data/social.json" not in names
        records = json.loads(archive.read("social.json"))
        facebook = next(r for r in records if r["id"] == social_data.posts["facebook"].pk)
        assert facebook["platform_answer"] == {"id": "fb-answer-1", "post_id": "100_1"}
        assert facebook["engagement"]["reach"] == 1200 and facebook["engagement"]["views"] is None
        assert [c["text"] for c in facebook["comments"]] == ["Good plan!", "Hidden insult"]
        assert facebook["written_by"] and "@" not in facebook["written_by"]
        social_csv = list(
            csv.DictReader(io.StringIO(archive.read("social.csv").decode("utf-8-sig")))
        )
        assert len(social_csv) == 4
        assert {row["platform"] for row in social_csv} == {"facebook", "x", "mastodon"}
        referrals = json.loads(archive.read("data/referrals.json"))
        assert sum(row["visits"] for row in referrals) == 25
        assert {row["day"] for row in referrals} == {
            social_data.expected["first_day"].isoformat(),
            social_data.expected["last_day"].isoformat(),
        }
