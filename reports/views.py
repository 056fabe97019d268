"""The live summary page, downloads and the progress page of an export job."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer
from consultations.survey_selectors import drawn_legend

from .documents import MAP_SIZE, PDF_VECTOR_MAP_MAX_PINS, plan_legend, summary_map_svg
from .formats import FORMATS
from .models import ExportJob
from .permissions import (
    FULL,
    PUBLIC,
    can_analyse_map,
    can_export,
    can_export_archive,
    can_read_social_figures,
    can_read_summary,
    export_variants,
)
from .selectors import cached_consultation_summary
from .services import export_for_download


def readable_consultation(request: HttpRequest, slug: str) -> Consultation:
    """The consultation if this person may read its summary; 404 for drafts they may not see,
    403 (or the log-in page) before the results are public."""
    consultation = consultation_for_viewer(
        request.user, slug, queryset=Consultation.objects.prefetch_related("phases")
    )
    if not can_read_summary(request.user, consultation):
        raise PermissionDenied
    return consultation


def job_response(job: ExportJob) -> FileResponse:
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.download_filename,
        content_type=FORMATS[job.name].content_type,
    )


def _variant(request: HttpRequest, consultation: Consultation) -> str:
    variants = export_variants(request.user, consultation)
    asked = request.GET.get("variant", "")
    return asked if asked else variants[0]


def _map(consultation: Consultation, data) -> dict:
    """Few pins go inline as SVG; thousands come as the maps app's cached picture, so the page
    stays light (drafts have no public picture and always get the SVG)."""
    if len(data.map_pins) > PDF_VECTOR_MAP_MAX_PINS and consultation.status != "draft":
        url = reverse("maps:static-png", args=[consultation.slug])
        return {
            "map_image": f"{url}?width={MAP_SIZE[0]}&height={MAP_SIZE[1]}",
            "map_svg": "",
            "plan_layers": plan_legend(consultation),
            "drawn_legend": drawn_legend(consultation),
        }
    # Built by maps.static_map, which escapes the title it writes.
    return {
        "map_image": "",
        "map_svg": mark_safe(summary_map_svg(data)),  # noqa: S308
        "plan_layers": plan_legend(consultation),
        "drawn_legend": drawn_legend(consultation),
    }


def _download_links(consultation: Consultation, name: str, variants: list[str]) -> list[dict]:
    """One link per variant this person may have: staff choose public or full here, and the
    download view checks the choice again."""
    url = reverse("reports:download", args=[consultation.slug, name])
    labels = dict(ExportJob.Variant.choices)
    if len(variants) == 1:
        return [{"url": url, "variant": variants[0], "label": ""}]
    return [
        {"url": f"{url}?variant={variant}", "variant": variant, "label": labels[variant]}
        for variant in sorted(variants, key=[PUBLIC, FULL].index)
    ]


@require_GET
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        consultation = readable_consultation(request, slug)
    except PermissionDenied:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    variants = export_variants(request.user, consultation)
    staff = len(variants) > 1
    data = cached_consultation_summary(consultation, include_hidden_counts=staff)
    downloads = [
        {
            "label": item.label,
            "format": item.format,
            "links": _download_links(consultation, item.name, variants),
        }
        for item in FORMATS.values()
        if (not item.staff_only or can_export_archive(request.user, consultation))
        and item.offered_for(consultation)
    ]
    recent_jobs = []
    if staff:
        recent_jobs = list(
            ExportJob.objects.filter(consultation=consultation, requested_by=request.user)[:5]
        )
    return render(
        request,
        "reports/summary.html",
        {
            "consultation": consultation,
            "summary": data,
            **_map(consultation, data),
            "generated_at": data.computed_at,
            "downloads": downloads,
            "variants": variants,
            "recent_jobs": recent_jobs,
            "can_read_social_figures": can_read_social_figures(request.user),
            "can_analyse_map": can_analyse_map(request.user, consultation),
        },
    )


@require_GET
def download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    consultation = readable_consultation(request, slug)
    if name not in FORMATS:
        raise Http404
    try:
        job = export_for_download(
            consultation=consultation,
            name=name,
            variant=_variant(request, consultation),
            user=request.user,
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
    if job.status == ExportJob.Status.DONE:
        return job_response(job)
    return redirect(job)


def _job_for(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("consultation"), pk=pk)
    if not can_export(request.user, job.consultation, job.variant):
        raise Http404
    return job


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(
        request,
        "reports/job_detail.html",
        {"job": job, "consultation": job.consultation, "format": FORMATS[job.name]},
    )


@require_GET
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if job.status != ExportJob.Status.DONE:
        return redirect(job)
    return job_response(job)
