"""The summary as a document: a PDF briefing (WeasyPrint, from the page's own template) and a
DOCX a council secretariat can edit (python-docx). Both in the consultation's language."""

import base64
import io
import logging
from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from civic import branding
from consultations.models import Consultation
from consultations.selectors import picture_shapes
from consultations.survey_selectors import drawn_legend
from maps.static_map import render_png, render_svg

from .selectors import Summary, consultation_summary

# WeasyPrint reports every layout step at INFO; a briefing per export would flood the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MAP_SIZE = (1000, 560)
# Above this many pins the PDF takes the map as a picture: thousands of vector dots make a
# slow, heavy PDF and look the same printed.
PDF_VECTOR_MAP_MAX_PINS = 1500


def summary_map_svg(summary: Summary) -> str:
    return render_svg(
        summary.consultation.area,
        summary.map_pins,
        size=MAP_SIZE,
        title=_("Map of the ideas in %(title)s") % {"title": summary.consultation.title},
        shapes=picture_shapes(summary.consultation),
    )


def summary_map_png(summary: Summary) -> bytes:
    return render_png(
        summary.consultation.area,
        summary.map_pins,
        size=MAP_SIZE,
        shapes=picture_shapes(summary.consultation),
    )


def plan_legend(consultation: Consultation) -> list:
    """The plan layers drawn on the briefing's map, in drawing order, for its legend."""
    return list(consultation.plan_layers.order_by("position", "pk"))


def document_context(summary: Summary) -> dict:
    if len(summary.map_pins) > PDF_VECTOR_MAP_MAX_PINS:
        data = base64.b64encode(summary_map_png(summary)).decode()
        map_image = f"data:image/png;base64,{data}"
        map_svg = ""
    else:
        # Built by maps.static_map, which escapes the title it writes.
        map_image, map_svg = "", mark_safe(summary_map_svg(summary))  # noqa: S308
    return {
        "summary": summary,
        "consultation": summary.consultation,
        "map_svg": map_svg,
        "map_image": map_image,
        "plan_layers": plan_legend(summary.consultation),
        "drawn_legend": drawn_legend(summary.consultation),
        "generated_at": summary.computed_at,
        "SITE_NAME": settings.SITE_NAME,
        "MUNICIPALITY_NAME": branding.effective().name,
        "for_print": True,
    }


def render_pdf(consultation: Consultation, *, include_hidden_counts: bool) -> bytes:
    from weasyprint import HTML

    with translation.override(consultation.language):
        summary = consultation_summary(consultation, include_hidden_counts=include_hidden_counts)
        html = render_to_string("reports/summary_print.html", document_context(summary))
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_docx(consultation: Consultation, *, include_hidden_counts: bool) -> bytes:
    from docx import Document
    from docx.shared import Cm

    with translation.override(consultation.language):
        summary = consultation_summary(consultation, include_hidden_counts=include_hidden_counts)
        document = Document()
        _set_properties(document, consultation)
        document.add_heading(consultation.title, level=0)
        document.add_paragraph(consultation.summary)
        document.add_paragraph(
            _("Summary of %(date)s, %(municipality)s.")
            % {
                "date": formats.date_format(
                    timezone.localtime(summary.computed_at), "DATETIME_FORMAT"
                ),
                "municipality": branding.effective().name,
            }
        )

        document.add_heading(_("Key figures"), level=1)
        _table(document, [_("Figure"), _("Count")], figure_rows(summary))

        document.add_heading(summary.over_time.title, level=1)
        _chart(document, summary.over_time, Cm(16))
        _table(
            document,
            [_("From"), _("Ideas"), _("Supports"), _("Comments")],
            [
                [row["label"], row["ideas"], row["supports"], row["comments"]]
                for row in summary.timeline_rows
            ],
        )

        for chart in (summary.by_category, summary.by_status):
            document.add_heading(chart.title, level=1)
            _chart(document, chart, Cm(16))
            _table(document, [_("Name"), _("Ideas")], [[b.label, b.value] for b in chart.bars])

        document.add_heading(_("Most supported ideas"), level=1)
        if not summary.top_ideas:
            document.add_paragraph(_("No ideas yet."))
        for idea in summary.top_ideas:
            document.add_heading(f"{idea.reference} {idea.title}", level=2)
            document.add_paragraph(
                _("%(supports)s supports · %(status)s")
                % {"supports": idea.support_count, "status": idea.get_status_display()}
            )
            if idea.answer:
                paragraph = document.add_paragraph()
                paragraph.add_run(_("Official answer:") + " ").bold = True
                paragraph.add_run(idea.answer)

        if summary.topics:
            document.add_heading(_("Debate"), level=1)
        for balance in summary.topics:
            document.add_heading(balance.topic.title, level=2)
            _table(
                document,
                [_("Side"), _("Arguments"), _("Share"), _("Most supported argument")],
                [
                    [
                        side["label"],
                        side["count"],
                        f"{side['percent']} %",
                        side["top"].body if side["top"] else "",
                    ]
                    for side in balance.sides
                ],
            )
            if balance.poll:
                document.add_heading(balance.poll["question"], level=3)
                _chart(document, balance.poll["chart"], Cm(14))
                _table(
                    document,
                    [_("Answer"), _("Answers"), _("Share of respondents")],
                    [
                        [r["label"], r["count"], f"{r['percent']} %"]
                        for r in balance.poll["results"]
                    ],
                )

        for section in summary.sections:
            document.add_heading(section["title"], level=1)
            _table(document, [_("Figure"), _("Count")], section["rows"])

        document.add_heading(_("Arrivals by channel"), level=1)
        if summary.arrivals:
            _table(document, [_("Channel"), _("Visits"), _("Share")], arrival_rows(summary))
        else:
            document.add_paragraph(
                _("No visitor has arrived from a social channel or an embedded page yet.")
            )

        document.add_heading(_("Map of the ideas"), level=1)
        document.add_picture(io.BytesIO(summary_map_png(summary)), width=Cm(16))
        layers = plan_legend(summary.consultation)
        if layers:
            document.add_paragraph(_("Plan layers on the map"), style="Heading 2")
            for layer in layers:
                text = f"{layer.name} ({layer.colour})"
                if layer.legend:
                    text += f": {layer.legend}"
                document.add_paragraph(text, style="List Bullet")
        drawn = drawn_legend(summary.consultation)
        if drawn:
            document.add_paragraph(_("Drawn answers on the map"), style="Heading 2")
            for item in drawn:
                document.add_paragraph(
                    ngettext(
                        "%(prompt)s (%(colour)s): %(count)s answer",
                        "%(prompt)s (%(colour)s): %(count)s answers",
                        item["answers"],
                    )
                    % {
                        "prompt": item["prompt"],
                        "colour": item["colour"],
                        "count": item["answers"],
                    },
                    style="List Bullet",
                )
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _set_properties(document, consultation: Consultation) -> None:
    """The municipality wrote the document, now. Every property is set, so none of the library
    template's own (its name as author and comment, its 2013 dates) is left behind."""
    now = timezone.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)
    properties = document.core_properties
    properties.author = branding.effective().name
    properties.last_modified_by = branding.effective().name
    properties.created = now
    properties.modified = now
    properties.last_printed = now
    properties.revision = 1
    properties.title = consultation.title
    properties.subject = pgettext("report page", "Summary")
    properties.language = consultation.language
    for name in ("comments", "keywords", "category", "content_status", "identifier", "version"):
        setattr(properties, name, "")


def figure_rows(summary: Summary) -> list[list]:
    figures = summary.figures
    rows = [
        [_("Participants"), figures.participants],
        [_("Ideas"), figures.ideas],
        [_("Supports"), figures.supports],
        [_("Comments"), figures.comments],
        [pgettext("report figure", "Poll answers"), figures.poll_answers],
        [
            _("Social reach"),
            _("not available") if figures.social_reach is None else figures.social_reach,
        ],
        [_("Arrivals from social media"), figures.social_arrivals],
    ]
    if figures.hidden_ideas is not None:
        rows.append([_("Hidden ideas"), figures.hidden_ideas])
        rows.append([_("Hidden comments"), figures.hidden_comments])
    return rows


def arrival_rows(summary: Summary) -> list[list]:
    return [[row["label"], row["visits"], f"{row['percent']} %"] for row in summary.arrivals]


def _table(document, headers: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(header)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


def _chart(document, chart, width) -> None:
    if chart.is_empty:
        document.add_paragraph(_("Nothing to show yet."))
        return
    document.add_picture(io.BytesIO(chart.png()), width=width)
    caption = document.add_paragraph(chart.description)
    caption.style = "Caption"
