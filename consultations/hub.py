"""The consultation page (the hub) gathers its sections from the apps that own what they show.

Each app registers, in its AppConfig.ready, a function that renders its section of the hub from
its own selectors and permissions: the key figures (debate), the summary link (reports), the
map and the idea panel (ideas), the debate topics (debate), the social media posts (social).
This app knows none of them; the page places each slot where the template says, and a slot
nobody registered stays empty. The order within a slot is the order of INSTALLED_APPS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Where on the page, top to bottom.
SLOTS = ("figures", "map", "ideas", "topics", "social")

Render = Callable[[HttpRequest, object], str]


@dataclass(frozen=True)
class Section:
    slot: str
    name: str
    render: Render


_sections: list[Section] = []


def register(slot: str, name: str, render: Render) -> None:
    """Add a section to a slot of the hub (idempotent by name)."""
    if slot not in SLOTS:
        raise ValueError(f"unknown hub slot {slot!r}; slots are {', '.join(SLOTS)}")
    if any(section.name == name for section in _sections):
        return
    _sections.append(Section(slot, name, render))


def sections() -> tuple[Section, ...]:
    return tuple(_sections)


def render_sections(request: HttpRequest, consultation) -> dict[str, SafeString]:
    """Each slot's HTML for this visitor. The sections render templates that escape what they
    show, so the joined HTML is safe.

    An anonymous visitor without filters sees what every anonymous visitor sees: each worker
    keeps those sections for HUB_SECTIONS_SECONDS under the consultation's page versions
    (civic.pagecache), so building the hub again (an expired copy, another address for the
    same hub, the page cache unreachable) costs its own template, not its sections. A change
    that replaces the consultation's pages gives the sections a new key at once; counts that
    replace nothing (supports, votes) are at most HUB_SECTIONS_SECONDS old, as on cached pages.
    """
    key = _kept_key(request, consultation)
    if key is not None:
        kept = _kept.get(key)
        if kept is not None and time.monotonic() < kept[0]:
            return kept[1]
    rendered = {slot: [] for slot in SLOTS}
    for section in _sections:
        rendered[section.slot].append(section.render(request, consultation))
    sections = {slot: mark_safe("".join(parts)) for slot, parts in rendered.items()}  # noqa: S308
    if key is not None:
        if len(_kept) >= KEPT_MAX:
            _kept.clear()
        _kept[key] = (time.monotonic() + settings.HUB_SECTIONS_SECONDS, sections)
    return sections


# Each worker's anonymous sections: key -> (until, sections).
_kept: dict[tuple, tuple[float, dict[str, SafeString]]] = {}
KEPT_MAX = 100


def forget_kept_sections(_consultation_id: int | None = None) -> None:
    """Forget this worker's kept sections (tests; a change made in this worker, at once)."""
    _kept.clear()


def _kept_key(request: HttpRequest, consultation) -> tuple | None:
    if (
        settings.HUB_SECTIONS_SECONDS <= 0
        or request.user.is_authenticated
        or request.GET
        or consultation.status == consultation.Status.DRAFT
    ):
        return None
    from django.core.cache import cache

    from civic.pagecache import page_version_keys

    versions = cache.get_many(page_version_keys(consultation.pk))
    return (
        consultation.pk,
        tuple(sorted(versions.items())),
        get_language(),
        request.get_host(),
        request.is_secure(),
    )
