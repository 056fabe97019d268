"""Site-wide search: /search/?q= puts side by side what each app finds for the visitor.

The rules of what a visitor may find live in each app's selectors (`search_consultations`,
`search_visible_ideas`, `search_topics`, `search_comments`); this module only asks them, pages
their answers and renders them. Two queries per group (the count and the page), whatever the
number of results.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from civic import ratelimit
from civic.search import MAX_QUERY_LENGTH, search_words
from consultations.selectors import search_consultations
from debate.selectors import search_comments, search_topics
from ideas.selectors import search_visible_ideas

GROUPS = {
    "consultations": (_("Consultations"), search_consultations),
    "ideas": (_("Ideas"), search_visible_ideas),
    "topics": (_("Debate topics"), search_topics),
    "comments": (_("Comments"), search_comments),
}
# Results of each group on the overview; "Show all" pages through one group.
PREVIEW = 5
PER_PAGE = 20
MAX_PAGE = 10_000


@dataclass
class Group:
    name: str
    label: str
    count: int
    items: list
    number: int
    has_next: bool
    has_previous: bool
    num_pages: int


def parse_group(value: str | None) -> str | None:
    """One group's name, or None for the overview of all; ValidationError for anything else."""
    if not value:
        return None
    if value not in GROUPS:
        raise ValidationError(
            _("Choose one of: %(groups)s."), params={"groups": ", ".join(GROUPS)}, code="invalid"
        )
    return value


def parse_page(value: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(value or 1)))
    except (TypeError, ValueError):
        return 1


def _page(queryset, per_page: int, number: int):
    """One page of `queryset` in two queries whatever its size: the count, then the page's rows
    picked by id from the narrow, filtered and sorted query and only then joined with what the
    selector asked to load with them. Joining first would join every match before the LIMIT
    (13,000 comments for a common word: see bench/RESULTS.md)."""
    ordering = queryset.query.order_by
    narrow = queryset.select_related(None).values("pk")
    page = Paginator(narrow, per_page).get_page(number)
    rows = queryset.model.objects.filter(pk__in=page.object_list).order_by(*ordering)
    rows.query.select_related = queryset.query.select_related
    page.object_list = list(rows) if page.paginator.count else []
    return page


def search(user, words: list[str], *, group: str | None = None, page: int = 1) -> list[Group]:
    """The groups of results for `words`: all four (first PREVIEW of each) or one group's page."""
    groups = []
    for name, (label, select) in GROUPS.items():
        if group is not None and name != group:
            continue
        per_page, number = (PER_PAGE, page) if group else (PREVIEW, 1)
        found = _page(select(user, words), per_page, number)
        groups.append(
            Group(
                name=name,
                label=str(label),
                count=found.paginator.count,
                items=found.object_list,
                number=found.number,
                has_next=found.has_next(),
                has_previous=found.has_previous(),
                num_pages=found.paginator.num_pages,
            )
        )
    return groups


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    context = {"query": query, "max_length": MAX_QUERY_LENGTH, "groups": None, "error": ""}
    try:
        words = search_words(query)
        group = parse_group(request.GET.get("group"))
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        # Shown as typed would be a page of noise: the field keeps what fits.
        context["query"] = query[:MAX_QUERY_LENGTH]
        return render(request, "frontend/search.html", context, status=400)
    if words:
        try:
            ratelimit.check(request, "search")
        except ratelimit.RateLimited as error:
            return ratelimit.too_many_response(request, error)
        page = parse_page(request.GET.get("page"))
        context["groups"] = search(request.user, words, group=group, page=page)
        context["total"] = sum(g.count for g in context["groups"])
    context.update({"words": words, "group": group})
    return render(request, "frontend/search.html", context)
