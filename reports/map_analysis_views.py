"""The planner's map analysis page: heat map, selection and comparison with the plan layers.

Everything on it works without JavaScript: the heat layer is a form choice with a table of the
hottest cells, a selection is a form (plan feature, box, or place and radius) and the
comparison is a table with sort links and a CSV download. The script adds the map, drawing
with Leaflet-Geoman and the API's answers in place.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civic.api import validation_error_detail
from civic.httpcache import mark_private
from consultations.models import PlanFeature
from maps import analysis

from . import map_analysis
from .map_analysis_api import analysable_consultation
from .map_analysis_forms import CompareForm, HeatForm, SelectionForm

# Heat classes: ColorBrewer YlOrRd, each swatch outlined in dark grey on the legend so that the
# lightest one stands out from the page too (WCAG 1.4.11).
RAMP = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]


def legend(max_weight: int) -> list[dict]:
    """Five classes of equal width up to the heaviest cell; the script computes the same."""
    if max_weight <= 0:
        return []
    classes = []
    low = 1
    for index, colour in enumerate(RAMP):
        if low > max_weight:
            break
        high = max(low, round(max_weight * (index + 1) / len(RAMP)))
        if index == len(RAMP) - 1:
            high = max_weight
        classes.append({"colour": colour, "low": low, "high": high})
        low = high + 1
    return classes


def _consultation(request, slug):
    """The consultation, or None when the visitor must sign in first (403 for others)."""
    try:
        return analysable_consultation(request.user, slug)
    except PermissionDenied:
        if not request.user.is_authenticated:
            return None
        raise


@require_GET
def map_analysis_page(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    if consultation is None:
        return redirect_to_login(request.get_full_path())
    features = list(
        PlanFeature.objects.filter(layer__consultation=consultation)
        .select_related("layer")
        .order_by("layer__position", "layer", "number")
    )
    # Always bound, so the layer shown is the one checked, also when the address names none.
    heat_form = HeatForm({"kind": request.GET.get("kind") or "ideas"})
    kind = heat_form.cleaned_data["kind"] if heat_form.is_valid() else "ideas"
    overview = map_analysis.heat(consultation, kind=kind, zoom=None, bbox=None)
    hottest = map_analysis.hottest_cells(overview)
    heat_ok = heat_form.is_valid()

    selection = None
    selection_form = SelectionForm(
        request.GET if "select" in request.GET else None, features=features
    )
    if selection_form.is_bound:
        selection = _selection(consultation, selection_form)

    compare_form = CompareForm(request.GET if "distance" in request.GET else None)
    distance, sort = map_analysis.DEFAULT_METRES, None
    if compare_form.is_bound and compare_form.is_valid():
        distance, sort = compare_form.cleaned_data["distance"], compare_form.cleaned_data["sort"]
    try:
        tables = map_analysis.compare_layers(consultation, metres=distance, sort=sort)
    except ValidationError as error:
        compare_form.add_error(None, error.messages)
        tables = map_analysis.compare_layers(consultation, metres=distance)
    valid = heat_ok and not selection_form.errors and not compare_form.errors
    response = render(
        request,
        "reports/map_analysis.html",
        {
            "consultation": consultation,
            "heat_form": heat_form,
            "kind": kind,
            "kind_label": analysis.countable(kind).label(),
            "hottest": hottest,
            "legend": legend(overview["max_weight"]),
            "selection_form": selection_form,
            "selection": selection,
            "selection_query": _without_page(request),
            "compare_form": compare_form,
            "distance": distance,
            "sort": sort or "",
            "tables": tables,
            "analysis_config": {
                "heatUrl": reverse("api-consultation-heat", args=[consultation.slug]),
                "selectionUrl": reverse("api-consultation-selection", args=[consultation.slug]),
                "kind": kind,
                "area": consultation.area or None,
                "ramp": RAMP,
                # The API's session authentication asks for the token; the page has no form
                # that would carry it.
                "csrfToken": get_token(request),
                "kinds": {c.code: str(c.label()) for c in analysis.countables()},
                "strings": _strings(),
            },
        },
        status=200 if valid else 400,
    )
    return mark_private(response)


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _selection(consultation, form: SelectionForm) -> dict | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    method = data["select"]
    try:
        if method == "feature":
            region = map_analysis.region_from_feature(
                consultation, data["feature"], data.get("metres")
            )
        elif method == "bbox":
            region = map_analysis.region_from_bbox(consultation, data["bbox"])
        else:
            region = map_analysis.region_from_place(consultation, data["place"], data.get("radius"))
        return {
            **map_analysis.selection_contents(consultation, region, data.get("page") or 1),
            "geometry": map_analysis.region_geojson(region),
        }
    except ValidationError as error:
        for field, messages in validation_error_detail(error).items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return None


def _strings() -> dict:
    return {
        "loading": _("Loading the heat map…"),
        "failed": _("The heat map could not be loaded."),
        "shown": _("Cells shown: %(count)s; the heaviest holds %(max)s."),
        "empty": _("Nothing to show in this view."),
        "selecting": _("Counting what lies inside the selection…"),
        "selectionFailed": _("The selection could not be counted."),
        "results": _("Selection: %(description)s"),
        "page": _("Page %(page)s of %(pages)s"),
        "next": _("Next page"),
        "previous": _("Previous page"),
        "none": _("None."),
        "cell": _("%(weight)s at %(lat)s, %(lon)s"),
        "draw": _("Draw a selection"),
        "rectangle": _("Draw a rectangle"),
        "legendHeading": _("Legend: %(kind)s per cell"),
        "hottestCaption": _("Where there are most: %(kind)s"),
        "selectArea": _("Select this area"),
        "polygon": _("Draw a polygon"),
    }


@require_GET
def compare_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    if consultation is None:
        return redirect_to_login(request.get_full_path())
    form = CompareForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    distance = form.cleaned_data["distance"]
    try:
        tables = map_analysis.compare_layers(
            consultation, metres=distance, sort=form.cleaned_data["sort"]
        )
    except ValidationError as error:
        return HttpResponse(
            " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    table = next((t for t in tables if t["layer"].pk == pk), None)
    if table is None:
        raise Http404
    response = HttpResponse(
        map_analysis.compare_csv(table, distance), content_type="text/csv; charset=utf-8"
    )
    name = slugify(f"{consultation.slug}-{table['layer'].name}") or "layer"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return mark_private(response)
