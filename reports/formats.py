"""The files one can export, by the name used in the URL, and how each is made."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import exports
from .exports import ExportContext

MAP_SURVEY = "map_survey"  # consultations.models.Consultation.Kind.MAP_SURVEY
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    format: str
    content_type: str
    build: Callable[[ExportContext, str], None]  # (context, path to write)
    staff_only: bool = False
    # Offered only for consultations of these kinds (empty: every kind).
    kinds: tuple[str, ...] = ()

    def offered_for(self, consultation) -> bool:
        return not self.kinds or consultation.kind in self.kinds


def _pdf(ctx: ExportContext, path: str) -> None:
    from .documents import render_pdf

    with open(path, "wb") as out:
        out.write(render_pdf(ctx.consultation, include_hidden_counts=ctx.full))


def _docx(ctx: ExportContext, path: str) -> None:
    from .documents import render_docx

    with open(path, "wb") as out:
        out.write(render_docx(ctx.consultation, include_hidden_counts=ctx.full))


def _xlsx(ctx: ExportContext, path: str) -> None:
    exports.write_xlsx(ctx, path)


def _csv(sheet_name: str) -> Callable[[ExportContext, str], None]:
    def build(ctx: ExportContext, path: str) -> None:
        with open(path, "w", encoding="utf-8", newline="") as out:
            exports.write_csv(ctx, exports.sheet(sheet_name), out)

    return build


def _geojson(ctx: ExportContext, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        exports.write_geojson(ctx, out)


def _drawn_geojson(ctx: ExportContext, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        exports.write_drawn_geojson(ctx, out)


def _geopackage(ctx: ExportContext, path: str) -> None:
    exports.write_geopackage(ctx, path)


def _archive(ctx: ExportContext, path: str) -> None:
    from .archive import write_archive

    write_archive(ctx, path)


FORMATS: dict[str, ExportFormat] = {
    item.name: item
    for item in (
        ExportFormat("summary.pdf", _("Briefing"), "PDF", "application/pdf", _pdf),
        ExportFormat("summary.docx", _("Briefing, editable"), "DOCX", DOCX, _docx),
        ExportFormat("data.xlsx", _("All data (workbook)"), "XLSX", XLSX, _xlsx),
        ExportFormat("ideas.csv", _("Ideas"), "CSV", "text/csv; charset=utf-8", _csv("ideas")),
        ExportFormat(
            "comments.csv", _("Comments"), "CSV", "text/csv; charset=utf-8", _csv("comments")
        ),
        ExportFormat(
            "ideas.geojson", _("Ideas on the map"), "GeoJSON", "application/geo+json", _geojson
        ),
        ExportFormat(
            "drawn-answers.csv",
            _("Drawn answers"),
            "CSV",
            "text/csv; charset=utf-8",
            _csv("drawn_answers"),
            kinds=(MAP_SURVEY,),
        ),
        ExportFormat(
            "drawn-answers.geojson",
            _("Drawn answers on the map"),
            "GeoJSON",
            "application/geo+json",
            _drawn_geojson,
            kinds=(MAP_SURVEY,),
        ),
        ExportFormat(
            "map.gpkg",
            _("Map data (ideas and plan layers)"),
            "GeoPackage",
            "application/geopackage+sqlite3",
            _geopackage,
        ),
        ExportFormat(
            "archive.zip",
            _("Archive package"),
            "ZIP",
            "application/zip",
            _archive,
            staff_only=True,
        ),
    )
}


def build_file(ctx: ExportContext, name: str, path: str) -> None:
    """Write the file in the consultation's language, whoever asked and whatever language the
    request or the worker happens to speak: pseudonyms, sheet names and headings alike."""
    with translation.override(ctx.consultation.language):
        FORMATS[name].build(ctx, path)


def build_bytes(ctx: ExportContext, name: str) -> bytes:
    """Make a file in memory; for tests and small uses."""
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        path = f"{workdir}/{name}"
        build_file(ctx, name, path)
        with open(path, "rb") as handle:
            return handle.read()
