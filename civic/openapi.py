"""The OpenAPI schema (/api/schema/) as the API really answers: the error answers every
operation can give, and URL fields that may be blank. schemathesis checks the two agree
(tests/bench/test_api_fuzz.py)."""

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` with the reason, or each refused field with its reasons.",
    "additionalProperties": {},
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
# What any operation can answer besides its own results: bad input, no or the wrong credentials,
# an unknown object, a transaction that lost a race (409), a rate limit (429) and the database
# being briefly out of reach (503; civic.middleware_db).
COMMON_ERRORS = {
    "400": ("Bad input: the field and the reason", False),
    "401": ("The credentials are not valid", False),
    "403": ("Not allowed", False),
    "404": ("Not found, or not visible to you", False),
    "409": ("Lost a race with another change; repeat the request", True),
    "429": ("Too many requests; wait and repeat", True),
    "503": ("The database is briefly out of reach; repeat the request", True),
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the error answers every operation gives,
    so that the schema lists every status code and media type the API really answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", copy.deepcopy(ERROR_SCHEMA))
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            # DRF renders an error with the renderer it chose for the request, so an operation
            # that answers GeoJSON answers its errors as GeoJSON-typed JSON too.
            media_types = {"application/json"} | {
                media_type
                for response in responses.values()
                for media_type in response.get("content", {})
                if media_type.endswith("json")
            }
            errors = dict(COMMON_ERRORS)
            if "requestBody" in operation:
                errors["415"] = ("The body's media type is not one of those listed", False)
            for code, (description, retry) in sorted(errors.items()):
                response = responses.setdefault(code, {"description": description})
                # Fresh dicts each time: shared ones would come out as YAML anchors.
                response.setdefault(
                    "content",
                    {m: {"schema": {"$ref": "#/components/schemas/Error"}} for m in media_types},
                )
                if retry:
                    response.setdefault("headers", copy.deepcopy(RETRY_AFTER))
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with URL fields that may be blank documented as such: a model's
    `URLField(blank=True)` answers "" when unset, which is not a valid `format: uri`."""

    def _insert_field_validators(self, field, schema):
        # The last step that touches a field's schema (it adds `format: uri` from the validator).
        super()._insert_field_validators(field, schema)
        if (
            isinstance(field, serializers.URLField)
            and schema.get("format") == "uri"
            and _may_be_blank(field)
        ):
            del schema["format"]
            schema["anyOf"] = [{"format": "uri"}, {"maxLength": 0}]


def _may_be_blank(field) -> bool:
    # DRF drops allow_blank from read-only fields, so ask the model field too.
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:  # a property or a method: never blank
        return False
