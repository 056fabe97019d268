"""What every API endpoint shares: pagination and the mapping of domain errors to HTTP."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from civic.json_input import too_deep_message


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def validation_error_detail(error: DjangoValidationError) -> dict | list:
    """Field -> reasons, as DRF reports its own validation errors."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in msgs]
            for field, msgs in error.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """Services raise Django's ValidationError and PermissionDenied; answer them as 400 and 403
    with the field and reason instead of a 500."""
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RecursionError):
        # The last line of defence against input nested too deeply for a recursive step that
        # json_input's bound did not cover.
        return Response({"detail": too_deep_message()}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


# --- Errors outside DRF ------------------------------------------------------------------------

# DRF's own wording, translated by DRF's catalogues.
_PLAIN_ERRORS = {
    403: exceptions.PermissionDenied.default_detail,
    404: exceptions.NotFound.default_detail,
    500: exceptions.APIException.default_detail,
}


def json_error_for_api(request, status_code: int) -> JsonResponse | None:
    """Django's own error pages (an address no route matches, a CSRF refusal) as JSON under
    /api/, as the API documents them; None elsewhere, where the HTML page is right."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": str(_PLAIN_ERRORS[status_code])}, status=status_code)
