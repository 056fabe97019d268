"""Answer templates in the back office (/staff/answer-templates/): every template of the
consultations the person runs, in one place. The official answer form offers them
(ideas.forms.AnswerForm); the writes are ideas.services.answer_template_save and _delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civic.backoffice.views import add_service_errors, menu_context, query_without_page
from civic.permissions import can_run_consultations
from civic.query_params import page_number
from consultations.models import Consultation

from . import permissions, services
from .models import AnswerTemplate
from .staff_forms import StaffAnswerTemplateForm, TemplateFilterForm

PER_PAGE = 25


def _consultations(user):
    return Consultation.objects.managed_by(user).order_by("title", "pk")


def _require_section(user) -> None:
    if not can_run_consultations(user):
        raise PermissionDenied(_("Only planners and administrators manage answer templates."))


def _template_for(user, pk) -> AnswerTemplate:
    template = get_object_or_404(AnswerTemplate.objects.select_related("consultation"), pk=pk)
    if not permissions.can_manage_answer_templates(user, template.consultation):
        raise PermissionDenied(_("Only the consultation's planners manage answer templates."))
    return template


@require_GET
@login_required
def template_list(request):
    _require_section(request.user)
    consultations = _consultations(request.user)
    form = TemplateFilterForm(request.GET or None, consultations=consultations)
    templates = AnswerTemplate.objects.filter(consultation__in=consultations).select_related(
        "consultation"
    )
    status = 200
    if form.is_bound and form.is_valid():
        if form.cleaned_data["consultation"]:
            templates = templates.filter(consultation=form.cleaned_data["consultation"])
        if form.cleaned_data["q"]:
            text = form.cleaned_data["q"]
            templates = templates.filter(Q(title__icontains=text) | Q(body__icontains=text))
    elif form.is_bound:
        templates, status = templates.none(), 400
    try:
        number = page_number(request.GET.get("page"))
    except ValidationError:
        number = 1
    page = Paginator(templates.order_by("consultation__title", "title", "pk"), PER_PAGE).get_page(
        number
    )
    return render(
        request,
        "ideas/staff/answer_templates.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_create": consultations.exists(),
            **menu_context(request),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request, pk=None):
    _require_section(request.user)
    template = _template_for(request.user, pk) if pk else None
    consultations = _consultations(request.user)
    initial = {}
    if template is None and request.GET.get("consultation", "").isdigit():
        initial["consultation"] = int(request.GET["consultation"])
    form = StaffAnswerTemplateForm(
        request.POST or None, instance=template, initial=initial, consultations=consultations
    )
    if template is not None:
        # A template stays in its consultation; the answer form of that consultation offers it.
        form.fields["consultation"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_template_save(
                user=request.user,
                consultation=form.cleaned_data["consultation"],
                template=template,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error("consultation", str(error))
        else:
            messages.success(request, _("The template is saved."))
            return redirect("ideas_staff:answer_templates")
    return render(
        request,
        "ideas/staff/answer_template_form.html",
        {"form": form, "template": template, **menu_context(request)},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def template_delete(request, pk):
    _require_section(request.user)
    template = _template_for(request.user, pk)
    title = template.title
    services.answer_template_delete(user=request.user, template=template)
    messages.success(request, _("The template “%(title)s” is deleted.") % {"title": title})
    return redirect("ideas_staff:answer_templates")
