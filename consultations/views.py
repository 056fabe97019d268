"""Consultation pages: the hub page, and the planner's form and status actions."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import display, hub, permissions, rules, selectors, services
from .forms import CategoryFormSet, CloseForm, ConsultationForm, PhaseFormSet, ResultsForm
from .models import Consultation


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    now = timezone.now()
    user = request.user
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "now": now,
            "current_phase": consultation.current_phase(now),
            "next_phase": consultation.next_phase(now),
            "state": consultation.state(now),
            "invitation": display.invitation(consultation, now),
            "cover_image_url": (
                request.build_absolute_uri(consultation.cover_image.url)
                if consultation.cover_image
                else ""
            ),
            "can_edit": permissions.can_edit_consultation(user, consultation),
            "can_publish": permissions.can_publish_consultation(user, consultation),
            "can_close": permissions.can_close_consultation(user, consultation),
            "can_publish_results": permissions.can_publish_results(user, consultation),
            "sections": hub.render_sections(request, consultation),
        },
    )


@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_create_consultation(request.user):
        raise PermissionDenied(_("You may not create consultations."))
    return _edit_page(request, Consultation())


@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if not permissions.can_edit_consultation(request.user, consultation):
        raise PermissionDenied(_("You may not edit this consultation."))
    return _edit_page(request, consultation)


def _edit_page(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    creating = consultation.pk is None
    may_assign = permissions.can_assign_planners(request.user, consultation)
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ConsultationForm(post, files, instance=consultation, can_assign_planners=may_assign)
    phases = PhaseFormSet(post, instance=consultation, prefix="phases")
    categories = CategoryFormSet(post, instance=consultation, prefix="categories")
    if request.method == "POST" and all(
        [form.is_valid(), phases.is_valid(), categories.is_valid()]
    ):
        try:
            with transaction.atomic():
                consultation = _save(request.user, consultation, form, phases, categories)
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The consultation was created as a draft.")
                if creating
                else _("Your changes were saved."),
            )
            return redirect(consultation)
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "phases": phases,
            "categories": categories,
            "consultation": consultation,
            "creating": creating,
        },
        status=400 if request.method == "POST" else 200,
    )


def _save(user, consultation, form, phases, categories) -> Consultation:
    arguments = {
        "actor": user,
        "data": form.service_data(),
        "phases": phases.service_rows(),
        "categories": categories.service_rows(),
    }
    if consultation.pk is None:
        consultation = services.consultation_create(**arguments)
    else:
        consultation = services.consultation_update(consultation=consultation, **arguments)
    if "planners" in form.cleaned_data:
        services.consultation_assign_planners(
            actor=user, consultation=consultation, planners=form.cleaned_data["planners"]
        )
    return consultation


def _attach_service_errors(form, error: ValidationError) -> None:
    """Show a rule the service enforced on the field it concerns, or at the top of the form."""
    for field, reasons in error.message_dict.items():
        target = field if field in form.fields else None
        for reason in reasons:
            form.add_error(target, reason)


@require_http_methods(["GET", "POST"])
def consultation_publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if not permissions.can_publish_consultation(request.user, consultation):
        raise PermissionDenied(_("You may not publish this consultation."))
    error = None
    if request.method == "POST":
        try:
            services.consultation_publish(actor=request.user, consultation=consultation)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The consultation is published."))
            return redirect(consultation)
    return _confirm_page(request, consultation, "publish", error=error)


@require_http_methods(["GET", "POST"])
def consultation_close(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if not permissions.can_close_consultation(request.user, consultation):
        raise PermissionDenied(_("You may not close this consultation."))
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consultation_close(
            actor=request.user, consultation=consultation, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The consultation is closed."))
        return redirect(consultation)
    return _confirm_page(request, consultation, "close", form=form)


@require_http_methods(["GET", "POST"])
def consultation_results(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if not permissions.can_publish_results(request.user, consultation):
        raise PermissionDenied(_("You may not publish results for this consultation."))
    form = ResultsForm(request.POST or None, initial={"results": consultation.results})
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_publish_results(
                actor=request.user, consultation=consultation, results=form.cleaned_data["results"]
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(request, _("The results are published."))
            return redirect(f"{consultation.get_absolute_url()}#results")
    return _confirm_page(request, consultation, "results", form=form)


def _confirm_page(request, consultation, action, *, form=None, error=None) -> HttpResponse:
    context = {"consultation": consultation, "action": action, "form": form, "error": error}
    if action == "publish":
        # Said before publishing: a timeline in which nobody can take part is a slip, not a plan.
        context["idle_phases"] = rules.idle_phases(consultation)
        context["nobody_can_take_part"] = rules.nobody_can_take_part(consultation)
    return render(
        request,
        "consultations/consultation_confirm.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
