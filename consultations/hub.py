"""The consultation page (the hub) gathers its sections from the apps that own what they show.

Each app registers, in its AppConfig.ready, a function that renders its section of the hub from
its own selectors and permissions: the key figures (debate), the summary link (reports), the
map and the idea panel (ideas), the debate topics (debate), the social media posts (social).
This app knows none of them; the page places each slot where the template says, and a slot
nobody registered stays empty. The order within a slot is the order of INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

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
    show, so the joined HTML is safe."""
    rendered = {slot: [] for slot in SLOTS}
    for section in _sections:
        rendered[section.slot].append(section.render(request, consultation))
    return {slot: mark_safe("".join(parts)) for slot, parts in rendered.items()}  # noqa: S308
