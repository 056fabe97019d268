"""The planner's pages for the consultation's map: plan layers (upload, style, order, remove)
and official map services. Every page works without JavaScript."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import permissions, selectors, services
from .forms import (
    MapServiceForm,
    MapServiceSettingsForm,
    PlanLayerStyleForm,
    PlanLayerUploadForm,
    WmtsCapabilitiesForm,
    WmtsLayerForm,
)
from .models import MapService
from .views import _attach_service_errors


def _managed(request, slug):
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if not permissions.can_manage_plan_layers(request.user, consultation):
        raise PermissionDenied(_("You may not change this consultation's map."))
    return consultation


def _layers_url(consultation) -> str:
    return reverse("consultations:plan-layers", kwargs={"slug": consultation.slug})


@require_http_methods(["GET", "POST"])
def plan_layers(request: HttpRequest, slug: str) -> HttpResponse:
    """The list of layers and services, with the upload form (POST here adds a layer)."""
    consultation = _managed(request, slug)
    post = request.POST if request.method == "POST" else None
    form = PlanLayerUploadForm(
        post, request.FILES if post else None, consultation=consultation, prefix="layer"
    )
    if post is not None and form.is_valid():
        try:
            layer = services.plan_layer_upload(
                actor=request.user,
                consultation=consultation,
                upload=form.cleaned_data["file"],
                data=form.service_data(),
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The layer “%(name)s” was added with %(count)s.")
                % {"name": layer.name, "count": _feature_count(layer.feature_count)},
            )
            return redirect(_layers_url(consultation))
    return _page(request, consultation, upload_form=form, status=400 if post else 200)


def _feature_count(count: int) -> str:
    from maps.gis import describe_count

    return describe_count(count)


def _page(request, consultation, *, upload_form=None, service_form=None, status=200):
    return render(
        request,
        "consultations/plan_layers.html",
        {
            "consultation": consultation,
            "layers": list(consultation.plan_layers.order_by("position", "pk")),
            "services": list(consultation.map_services.all()),
            "upload_form": upload_form
            or PlanLayerUploadForm(consultation=consultation, prefix="layer"),
            "service_form": service_form
            or MapServiceForm(consultation=consultation, prefix="service"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def plan_layer_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    layer = get_object_or_404(consultation.plan_layers, pk=pk)
    form = PlanLayerStyleForm(request.POST or None, instance=layer)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_layer_update(actor=request.user, layer=layer, data=form.service_data())
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(request, _("The layer's style was saved."))
            return redirect(_layers_url(consultation))
    return render(
        request,
        "consultations/plan_layer_form.html",
        {"consultation": consultation, "layer": layer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def plan_layer_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    layer = get_object_or_404(consultation.plan_layers, pk=pk)
    try:
        services.plan_layer_move(
            actor=request.user, layer=layer, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_layers_url(consultation)}#layer-{layer.pk}")


@require_http_methods(["GET", "POST"])
def plan_layer_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    layer = get_object_or_404(consultation.plan_layers, pk=pk)
    if request.method == "POST":
        services.plan_layer_delete(actor=request.user, layer=layer)
        messages.success(request, _("The layer “%(name)s” was removed.") % {"name": layer.name})
        return redirect(_layers_url(consultation))
    return render(
        request,
        "consultations/plan_confirm_delete.html",
        {"consultation": consultation, "thing": layer, "kind": "layer"},
    )


@require_POST
def map_service_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _managed(request, slug)
    form = MapServiceForm(request.POST, consultation=consultation, prefix="service")
    if form.is_valid():
        try:
            service = services.map_service_create(
                actor=request.user, consultation=consultation, data=form.service_data()
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(
                request, _("The map service “%(name)s” was added.") % {"name": service.name}
            )
            return redirect(f"{_layers_url(consultation)}#services")
    return _page(request, consultation, service_form=form, status=400)


@require_http_methods(["GET", "POST"])
def map_service_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    service = get_object_or_404(consultation.map_services, pk=pk)
    form_class = (
        MapServiceSettingsForm if service.protocol == MapService.Protocol.WMTS else MapServiceForm
    )
    form = form_class(request.POST or None, instance=service, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.map_service_update(
                actor=request.user, service=service, data=form.service_data()
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(
                request, _("The map service “%(name)s” was saved.") % {"name": service.name}
            )
            return redirect(f"{_layers_url(consultation)}#services")
    return render(
        request,
        "consultations/map_service_form.html",
        {"consultation": consultation, "service": service, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def map_service_wmts(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a WMTS layer in two steps: the capabilities address, then the layer, style, format
    and tile matrix set among those the capabilities offer. Each step reads the capabilities
    on the server; nothing the browser sends back stands in for them."""
    from maps import wmts

    consultation = _managed(request, slug)
    address_form = WmtsCapabilitiesForm(
        request.POST if request.method == "POST" else None, prefix="wmts"
    )
    if request.method != "POST" or not address_form.is_valid():
        return _wmts_page(request, consultation, address_form=address_form)
    try:
        capabilities = wmts.read_capabilities(address_form.cleaned_data["capabilities_url"])
    except ValidationError as error:
        for reason in error.message_dict.get("url", error.messages):
            address_form.add_error("capabilities_url", reason)
        return _wmts_page(request, consultation, address_form=address_form)
    choosing = "layer" not in request.POST
    layer_form = WmtsLayerForm(None if choosing else request.POST, capabilities=capabilities)
    if not choosing and layer_form.is_valid():
        try:
            service = services.map_service_add_wmts(
                actor=request.user,
                consultation=consultation,
                data=layer_form.service_data(),
                capabilities=capabilities,
            )
        except ValidationError as error:
            _attach_service_errors(layer_form, error)
        else:
            messages.success(
                request, _("The map service “%(name)s” was added.") % {"name": service.name}
            )
            return redirect(f"{_layers_url(consultation)}#services")
    return _wmts_page(
        request,
        consultation,
        address_form=address_form,
        layer_form=layer_form,
        capabilities=capabilities,
        status=200 if choosing else 400,
    )


def _wmts_page(
    request, consultation, *, address_form, layer_form=None, capabilities=None, status=None
):
    from maps.wmts import unusable_reason

    unusable = []
    layers = []
    if capabilities is not None:
        unusable = [
            {"identifier": item.identifier, "reason": unusable_reason(item)}
            for item in capabilities.matrix_sets.values()
            if not item.usable
        ]
        layers = [
            {
                "layer": layer,
                "usable_sets": [item.identifier for item in capabilities.usable_sets(layer)],
            }
            for layer in capabilities.layers.values()
        ]
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "consultations/map_service_wmts.html",
        {
            "consultation": consultation,
            "address_form": address_form,
            "layer_form": layer_form,
            "layers": layers,
            "unusable_sets": unusable,
            "provider": capabilities.provider if capabilities else "",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def map_service_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    service = get_object_or_404(consultation.map_services, pk=pk)
    if request.method == "POST":
        services.map_service_delete(actor=request.user, service=service)
        messages.success(
            request, _("The map service “%(name)s” was removed.") % {"name": service.name}
        )
        return redirect(f"{_layers_url(consultation)}#services")
    return render(
        request,
        "consultations/plan_confirm_delete.html",
        {"consultation": consultation, "thing": service, "kind": "service"},
    )
