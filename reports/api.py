"""Stable addresses of every download for integrations.

GET /api/v1/consultations/{slug}/exports/{name}[?variant=public|full]
    200 with the file when a fresh one is ready (made within the request for small
    consultations), else 202 with `Location: /api/v1/export-jobs/{id}/`.
GET /api/v1/export-jobs/{id}/
    The job's status and progress, and `file` (its download address) once done.
GET /api/v1/export-jobs/{id}/file
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer

from .formats import FORMATS
from .models import ExportJob
from .permissions import can_export, can_read_summary, export_variants
from .services import export_for_download
from .views import job_response


class ExportJobSerializer(serializers.ModelSerializer):
    consultation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "consultation",
            "name",
            "variant",
            "status",
            "progress",
            "error",
            "checksum",
            "size",
            "created_at",
            "finished_at",
            "file",
        ]

    def get_url(self, job: ExportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-export-job", args=[job.pk]))

    def get_file(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api-export-job-file", args=[job.pk])
        )


def _job_answer(request, job: ExportJob):
    if job.status == ExportJob.Status.DONE:
        return job_response(job)
    data = ExportJobSerializer(job, context={"request": request}).data
    return Response(data, status=202, headers={"Location": data["url"]})


# Every media type an export can have (CSV, PDF, DOCX, XLSX, ZIP, GeoJSON), for the schema.
FILE_RESPONSE_KEY = (
    200,
    *sorted({f.content_type.split(";")[0] for f in FORMATS.values()}),
)


class ConsultationExportView(APIView):
    permission_classes = [AllowAny]  # reports.permissions decides, per consultation

    @extend_schema(
        summary="Download an export of a consultation",
        parameters=[
            OpenApiParameter(
                "variant", str, enum=["public", "full"], description="Default: the fullest allowed"
            )
        ],
        responses={
            FILE_RESPONSE_KEY: OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            202: ExportJobSerializer,
        },
    )
    def get(self, request, slug: str, name: str):
        consultation = consultation_for_viewer(
            request.user, slug, queryset=Consultation.objects.prefetch_related("phases")
        )
        if name not in FORMATS:
            raise Http404
        if not can_read_summary(request.user, consultation):
            raise PermissionDenied("The results of this consultation are not published yet.")
        variant = (
            request.query_params.get("variant") or export_variants(request.user, consultation)[0]
        )
        job = export_for_download(
            consultation=consultation, name=name, variant=variant, user=request.user
        )
        return _job_answer(request, job)


def _job_for(request, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("consultation"), pk=pk)
    if not can_export(request.user, job.consultation, job.variant):
        raise Http404
    return job


class ExportJobView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="An export job's status and progress", responses=ExportJobSerializer)
    def get(self, request, pk: int):
        job = _job_for(request, pk)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportJobFileView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="An export job's file",
        responses={
            FILE_RESPONSE_KEY: OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            202: ExportJobSerializer,
        },
    )
    def get(self, request, pk: int):
        return _job_answer(request, _job_for(request, pk))
