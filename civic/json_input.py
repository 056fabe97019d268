"""JSON from outside, with a bound on nesting.

Python's json module recurses once per level: a body of a few kilobytes nested a thousand deep
raises RecursionError, which no caller expects (a 500), and a body nested a few hundred deep
still reaches serializers, validators and json.dumps that recurse as well. No document this
site accepts needs more than a handful of levels (a GeoJSON MultiPolygon has four), so anything
deeper than MAX_JSON_DEPTH is refused as bad input, like malformed JSON.
"""

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 64


class JSONTooDeep(ValueError):
    """A ValueError, so that code catching malformed JSON refuses this too."""

    def __init__(self):
        super().__init__(too_deep_message())


def too_deep_message() -> str:
    return _("The JSON is nested too deeply (at most %(limit)d levels).") % {
        "limit": MAX_JSON_DEPTH
    }


def check_depth(value, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise JSONTooDeep when lists and objects nest deeper than `limit`; iterative, so that
    checking cannot itself run out of stack."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            raise JSONTooDeep
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def loads(text: str | bytes):
    """json.loads that raises ValueError (JSONTooDeep) instead of RecursionError, and refuses
    documents nested deeper than MAX_JSON_DEPTH."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONTooDeep from None
    check_depth(value)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting bound: too deep is a 400 like malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_message()) from None
        try:
            check_depth(data)
        except JSONTooDeep as error:
            raise ParseError(str(error)) from None
        return data
