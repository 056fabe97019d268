"""A hostile platform: answers that a broken or malicious API could send, for any fake.

`fake.make_hostile(*modes, path=..., method=...)` (or `POST /_fake/hostile` for a fake in
another process, `manage.py runfakes --hostile MODE`) rewrites the fake's own JSON answers to
matching requests. The rewriting knows no platform: it goes by key names, so every fake gets
the same attacks and a new fake gets them for free.

Modes:
- `scripts`: every address (keys ending in url, uri, link, permalink, href, avatar) becomes a
  `javascript:` URL, every name and text (name, display_name, text, message, content, ...)
  carries HTML and a script.
- `null_ids`: every `id` is null.
- `numbers_as_text`: every number is a string ("12").
- `lists_for_objects`: every nested object is wrapped in a list.
- `huge`: the answer is padded to `size` bytes (default 6 MiB) with its length declared.
- `huge_unsized`: the same without a Content-Length, as a stream that only ends when the
  connection closes (the client must stop reading on its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCRIPTS = "scripts"
NULL_IDS = "null_ids"
NUMBERS_AS_TEXT = "numbers_as_text"
LISTS_FOR_OBJECTS = "lists_for_objects"
HUGE = "huge"
HUGE_UNSIZED = "huge_unsized"
MODES = (SCRIPTS, NULL_IDS, NUMBERS_AS_TEXT, LISTS_FOR_OBJECTS, HUGE, HUGE_UNSIZED)

SCRIPT_URL = "javascript:alert(document.cookie)"
SCRIPT_HTML = '<script>alert("pwned")</script><img src=x onerror="alert(1)">'
DEFAULT_HUGE_BYTES = 6 * 1024 * 1024

_URL_SUFFIXES = ("url", "uri", "link", "permalink", "href", "avatar")
# OAuth's own addresses are the fake's login flow, not content: left alone.
_NOT_CONTENT = ("redirect_uri", "redirect_uris")
_TEXT_KEYS = frozenset(
    {
        "name",
        "display_name",
        "displayName",
        "username",
        "handle",
        "acct",
        "text",
        "message",
        "content",
        "caption",
        "description",
        "note",
        "title",
    }
)


@dataclass
class HostileRule:
    modes: frozenset[str]
    method: str | None = None
    path: str | None = None
    size: int = DEFAULT_HUGE_BYTES

    def matches(self, method: str, path: str) -> bool:
        if self.method and method != self.method.upper():
            return False
        return not (self.path and self.path not in path)


def check_modes(modes) -> frozenset[str]:
    unknown = set(modes) - set(MODES)
    if unknown:
        raise ValueError(f"unknown hostile mode(s) {sorted(unknown)}; choose from {MODES}")
    return frozenset(modes)


def _is_url_key(key: str) -> bool:
    lowered = key.lower()
    return lowered not in _NOT_CONTENT and lowered.endswith(_URL_SUFFIXES)


def rewrite(value: Any, modes: frozenset[str], key: str = "") -> Any:
    """The answer `value` as the hostile platform sends it."""
    if isinstance(value, dict):
        rewritten = {k: rewrite(v, modes, k) for k, v in value.items()}
        if NULL_IDS in modes and "id" in rewritten:
            rewritten["id"] = None
        return rewritten
    if isinstance(value, list):
        return [rewrite(item, modes, key) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return str(value) if NUMBERS_AS_TEXT in modes else value
    if isinstance(value, str) and SCRIPTS in modes:
        # Bluesky's at:// uri is the record's id, assigned by the server, not a link.
        if _is_url_key(key) and not value.startswith("at://"):
            return SCRIPT_URL
        if key in _TEXT_KEYS:
            return f"{SCRIPT_HTML}{value}"
    return value


def wrap_objects(value: Any, *, top: bool = True) -> Any:
    """Every object below the top level wrapped in a list (`lists_for_objects`)."""
    if isinstance(value, dict):
        inner = {k: wrap_objects(v, top=False) for k, v in value.items()}
        return inner if top else [inner]
    if isinstance(value, list):
        return [wrap_objects(item, top=False) for item in value]
    return value
