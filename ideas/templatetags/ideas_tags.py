"""`{% consultation_ideas consultation as panel %}`: the idea panel of the consultation hub,
so the hub's view needs to know nothing about ideas."""

from django import template
from django.core.paginator import Paginator
from django.urls import NoReverseMatch, reverse

from ideas import permissions, selectors
from ideas.forms import ListFilterForm
from ideas.models import Follow, Idea

register = template.Library()

PANEL_SIZE = 10


@register.simple_tag(takes_context=True)
def consultation_ideas(context, consultation) -> dict:
    request = context["request"]
    user = request.user
    filter_form = ListFilterForm(request.GET or None, consultation=consultation)
    ideas = selectors.idea_list(consultation=consultation, viewer=user, **filter_form.filters())
    page = Paginator(ideas, PANEL_SIZE).get_page(request.GET.get("page"))
    return {
        "filter_form": filter_form,
        "page_obj": page,
        "ideas": page.object_list,
        "can_submit": permissions.can_submit_idea(user, consultation)
        or permissions.can_submit_anonymously(user, consultation)
        or permissions.can_submit_on_behalf(user, consultation),
        "follows": bool(
            user.is_authenticated
            and Follow.objects.filter(user=user, consultation=consultation).exists()
        ),
    }


# --- The consultation's map (ideas/_consultation_map.html) -----------------------------------
@register.simple_tag
def idea_list_url(consultation) -> str:
    """The consultation's full idea list, for the map's no-JS alternative."""
    try:
        return reverse("ideas:list", kwargs={"slug": consultation.slug})
    except NoReverseMatch:
        # The ideas pages are an optional part of a deployment; the hub page lists some too.
        return consultation.get_absolute_url()


@register.simple_tag
def map_first_ideas(consultation, limit: int = 20):
    """The first ideas for the list beside the map, as the server renders it without script."""
    return list(
        Idea.objects.published()
        .filter(consultation=consultation)
        .select_related("category")
        .order_by("-support_count", "-id")
        .only(
            "id",
            "reference",
            "title",
            "address_label",
            "support_count",
            "category__name",
            "category__colour",
        )[:limit]
    )
