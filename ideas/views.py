"""HTML pages for ideas. Each view checks the form, calls one service and renders."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civic import kept, ratelimit
from civic.redirects import next_path
from consultations.models import Consultation
from consultations.rules import phase_allows, require_phase, verification_refusal
from consultations.selectors import consultation_for_viewer

from . import permissions, selectors, services
from .forms import (
    AnonymousForm,
    AnswerForm,
    AnswerTemplateForm,
    IdeaForm,
    ListFilterForm,
    OnBehalfForm,
    photo_forms,
)
from .models import AnswerTemplate, Follow, Idea, Publication

PAGE_SIZE = 20


def _consultation(request, slug) -> Consultation:
    return consultation_for_viewer(
        request.user,
        slug,
        queryset=Consultation.objects.prefetch_related("phases", "categories"),
    )


def _idea(request, reference) -> Idea:
    idea = selectors.idea_for_viewer(reference=reference, viewer=request.user)
    if idea is None:
        raise Http404
    return idea


def _add_errors(form, error: ValidationError, fallback: str = "__all__") -> None:
    """Put a service's ValidationError on the form fields it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        name = {"location": "latitude", "photos": None}.get(field, field)
        if name is not None and name not in form.fields:
            name = None
        for message in messages_:
            form.add_error(name, message)


def idea_list(request, slug):
    consultation = _consultation(request, slug)
    filter_form = ListFilterForm(request.GET or None, consultation=consultation)
    ideas = selectors.idea_list(
        consultation=consultation, viewer=request.user, **filter_form.filters()
    )
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/idea_list.html",
        {
            "consultation": consultation,
            "filter_form": filter_form,
            "page_obj": page,
            "ideas": page.object_list,
            "can_submit": permissions.can_submit_idea(request.user, consultation)
            or permissions.can_submit_anonymously(request.user, consultation)
            or permissions.can_submit_on_behalf(request.user, consultation),
            "follows": _follows_consultation(request.user, consultation),
            "waiting": selectors.ideas_waiting_for_approval(
                consultation=consultation, viewer=request.user
            ),
        },
        # Filters that cannot be applied (e.g. a NUL byte in the search) are shown on the form.
        status=400 if filter_form.is_bound and not filter_form.is_valid() else 200,
    )


def _follows_consultation(user, consultation) -> bool:
    return bool(
        user.is_authenticated
        and Follow.objects.filter(user=user, consultation=consultation).exists()
    )


def _all_valid(forms) -> bool:
    """Validate every form (not stopping at the first) so all errors show at once."""
    results = [form.is_valid() for form in forms]
    return all(results)


def _photos_from(photo_form_list) -> list[services.Photo]:
    return [
        services.Photo(file=form.cleaned_data["photo"], alt_text=form.cleaned_data["alt_text"])
        for form in photo_form_list
        if form.cleaned_data.get("photo")
    ]


def _wants_preview(request) -> bool:
    return request.method == "POST" and request.POST.get("preview") == "1"


def _preview(request, form: IdeaForm, page: str, context: dict):
    """The idea as it will be shown, from the form as written; nothing is saved.

    The category and pin are checked by the service's own rule, so the person hears it before
    sending. The
    script on the form asks for the preview alone (``fragment=1``) and keeps the chosen photos;
    without it the whole page comes back and the browser forgets the files, which the preview
    says.
    """
    preview = None
    if form.is_valid():
        try:
            services.idea_check_placement(
                form.consultation,
                category=form.cleaned_data.get("category"),
                longitude=form.cleaned_data["longitude"],
                latitude=form.cleaned_data["latitude"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            preview = form.cleaned_data
    if request.POST.get("fragment") == "1":
        return render(
            request,
            "ideas/_idea_preview.html",
            {"preview": preview, "form": form},
            status=200 if preview else 400,
        )
    photos_dropped = any(key.startswith("photo") for key in request.FILES)
    context.update(preview=preview, photos_dropped=photos_dropped)
    return render(request, page, context)


def idea_create(request, slug):
    consultation = _consultation(request, slug)
    user = request.user
    on_behalf_allowed = permissions.can_submit_on_behalf(user, consultation)
    anonymous = not user.is_authenticated
    if not (
        on_behalf_allowed
        or permissions.can_submit_idea(user, consultation)
        or permissions.can_submit_anonymously(user, consultation)
    ):
        require_phase(consultation, "submit_idea")
        raise PermissionDenied(_("You cannot submit ideas here."))
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = IdeaForm(data, consultation=consultation)
    photos = photo_forms(data, files)
    anonymous_form = AnonymousForm(data) if anonymous else None
    behalf_form = OnBehalfForm(data) if on_behalf_allowed else None
    extra_forms = [f for f in (anonymous_form, behalf_form) if f is not None]
    if _wants_preview(request):
        return _preview(
            request,
            form,
            "ideas/idea_form.html",
            {
                "consultation": consultation,
                "form": form,
                "photo_forms": photo_forms(None, None),
                "anonymous_form": anonymous_form,
                "behalf_form": behalf_form,
                "editing": False,
            },
        )
    if request.method == "POST" and _all_valid([form, *photos, *extra_forms]):
        # Counted once the form is complete, so correcting mistakes costs nothing.
        try:
            ratelimit.check(request, "idea_submit")
        except ratelimit.RateLimited as error:
            return ratelimit.too_many_response(request, error)
        fields = {
            "consultation": consultation,
            "title": form.cleaned_data["title"],
            "description": form.cleaned_data["description"],
            "category": form.cleaned_data.get("category"),
            "latitude": form.cleaned_data["latitude"],
            "longitude": form.cleaned_data["longitude"],
            "address_label": form.cleaned_data["address_label"],
            "photos": _photos_from(photos),
        }
        try:
            if anonymous:
                services.idea_submit_anonymous(email=anonymous_form.cleaned_data["email"], **fields)
                return render(
                    request,
                    "ideas/idea_check_email.html",
                    {
                        "consultation": consultation,
                        "email": anonymous_form.cleaned_data["email"],
                        "hours": settings.UNCONFIRMED_IDEA_TTL_HOURS,
                    },
                )
            if behalf_form and behalf_form.cleaned_data["on_behalf_of"].strip():
                idea = services.idea_submit_on_behalf(
                    entered_by=user, on_behalf_of=behalf_form.cleaned_data["on_behalf_of"], **fields
                )
            else:
                idea = services.idea_submit(author=user, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if idea.is_public:
                messages.success(request, _("Thank you! Your idea is published."))
            else:
                messages.success(
                    request, _("Thank you! Your idea is published once a planner has approved it.")
                )
            return redirect(idea)
    return render(
        request,
        "ideas/idea_form.html",
        {
            "consultation": consultation,
            "form": form,
            "photo_forms": photos,
            "anonymous_form": anonymous_form,
            "behalf_form": behalf_form,
            "editing": False,
        },
    )


def idea_confirm(request, token):
    try:
        idea, user, created = services.idea_confirm(token=token)
    except (ValidationError, PermissionDenied) as error:
        reason = error.messages[0] if isinstance(error, ValidationError) else str(error)
        return render(request, "ideas/idea_confirm_failed.html", {"reason": reason}, status=400)
    if created and not request.user.is_authenticated:
        # The link proved the address; a new account has nothing else to protect yet.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _(
                "Your idea is confirmed and we made an account for you. "
                "Choose a password under “Change password” to sign in again later."
            ),
        )
    else:
        messages.success(request, _("Your idea is confirmed. Sign in to follow its answers."))
    return redirect(idea)


# What an idea page shows of its own; the rest (header, footer, breadcrumbs, styles) is the same
# on every idea page of the consultation for anonymous visitors (civic.kept).
IDEA_PAGE_OWN_BLOCKS = ("title", "meta_description", "link_card", "content")


def idea_detail(request, reference):
    idea = _idea(request, reference)
    user = request.user
    context = _detail_context(request, idea)
    if permissions.can_answer_idea(user, idea):
        context["answer_form"] = AnswerForm(idea=idea)
    elif kept.shell_allowed(request):
        html = kept.render_in_kept_shell(
            request,
            "ideas/idea_detail.html",
            context,
            consultation_id=idea.consultation_id,
            own=IDEA_PAGE_OWN_BLOCKS,
        )
        return HttpResponse(html)
    return render(request, "ideas/idea_detail.html", context)


def _support_context(request, idea: Idea, supports_left: int | None) -> dict:
    """What the support box (ideas/_support.html) shows."""
    user = request.user
    consultation = idea.consultation
    return {
        "idea": idea,
        "consultation": consultation,
        "can_support": permissions.can_support_idea(user, idea),
        "support_phase": phase_allows(consultation, "support"),
        # Said on the page: supports here count only eID-verified residents.
        "verification_refusal": verification_refusal(consultation, user)
        if user.is_authenticated
        else None,
        "supports_left": supports_left,
    }


def _detail_context(request, idea: Idea) -> dict:
    user = request.user
    left = services.supports_left(user, idea.consultation) if user.is_authenticated else None
    shows_pending_edit = idea.has_pending_edit and permissions.can_see_pending_edit(user, idea)
    images, status_changes, revision_count = selectors.idea_page_rows(idea)
    return {
        **_support_context(request, idea, left),
        "images": [i for i in images if not i.is_redacted and not i.is_pending],
        "status_changes": status_changes,
        "can_edit": permissions.can_edit_idea(user, idea),
        "follows": user.is_authenticated and Follow.objects.filter(user=user, idea=idea).exists(),
        "can_follow": permissions.can_follow(user),
        "revision_count": revision_count,
        "shows_pending_edit": shows_pending_edit,
        "pending_images": [i for i in images if i.is_pending and not i.is_redacted]
        if shows_pending_edit
        else [],
        "can_approve": idea.publication == Publication.PENDING_MODERATION
        and permissions.can_answer_idea(user, idea),
    }


@login_required
def idea_edit(request, reference):
    idea = _idea(request, reference)
    if not permissions.can_edit_idea(request.user, idea):
        raise PermissionDenied(_("You can no longer edit this idea."))
    consultation = idea.consultation
    images = list(idea.images.all())
    free = max(0, settings.IDEA_MAX_IMAGES - len(images))
    # The author goes on from what they last wrote: their pending edit, if one waits.
    written_title, written_description = services.written_text(idea)
    initial = {
        "title": written_title,
        "description": written_description,
        "category": idea.category_id,
        "latitude": idea.latitude,
        "longitude": idea.longitude,
        "address_label": idea.address_label,
    }
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = IdeaForm(data, initial=initial, consultation=consultation)
    photos = photo_forms(data, files, count=free)
    if _wants_preview(request):
        return _preview(
            request,
            form,
            "ideas/idea_form.html",
            {
                "consultation": consultation,
                "idea": idea,
                "form": form,
                "photo_forms": photo_forms(None, None, count=free),
                "images": images,
                "editing": True,
            },
        )
    if request.method == "POST" and _all_valid([form, *photos]):
        remove = [int(pk) for pk in request.POST.getlist("remove_photo") if pk.isdigit()]
        try:
            updated = services.idea_update(
                user=request.user,
                idea=idea,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data.get("category"),
                latitude=form.cleaned_data["latitude"],
                longitude=form.cleaned_data["longitude"],
                address_label=form.cleaned_data["address_label"],
                photos=_photos_from(photos),
                remove_photo_ids=remove,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if getattr(updated, "edit_held", False):
                messages.info(
                    request,
                    _("Thank you. Your edit will be shown once a moderator has approved it."),
                )
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect(idea)
    return render(
        request,
        "ideas/idea_form.html",
        {
            "consultation": consultation,
            "idea": idea,
            "form": form,
            "photo_forms": photos,
            "images": images,
            "editing": True,
        },
    )


@login_required
@require_POST
def idea_withdraw(request, reference):
    idea = _idea(request, reference)
    services.idea_withdraw(user=request.user, idea=idea)
    messages.success(request, _("Your idea has been withdrawn."))
    return redirect(idea.consultation)


@login_required
@require_POST
def idea_support(request, reference):
    idea = _idea(request, reference)
    try:
        ratelimit.check(request, "support")
    except ratelimit.RateLimited as error:
        return ratelimit.too_many_response(request, error)
    if request.POST.get("action") == "unsupport":
        state = services.idea_unsupport(user=request.user, idea=idea)
        message = _("You no longer support this idea.")
    else:
        state = services.idea_support(user=request.user, idea=idea)
        message = _("Thank you for your support.")
    if request.htmx:
        # The service updated the idea's count and the viewer's state; nothing is read again.
        context = _support_context(request, idea, state.supports_left)
        return render(request, "ideas/_support.html", {**context, "support_message": message})
    messages.success(request, message)
    # Back where the person acted: the idea, or their activity page's list of supports.
    return redirect(next_path(request, idea.get_absolute_url()))


@login_required
@require_POST
def idea_answer(request, reference):
    idea = _idea(request, reference)
    if not permissions.can_answer_idea(request.user, idea):
        raise PermissionDenied(_("Only the consultation's planners answer ideas."))
    form = AnswerForm(request.POST, idea=idea)
    if form.is_valid():
        if "prefill" in request.POST:
            # Without JavaScript: copy the chosen template into the answer for editing.
            template = form.cleaned_data.get("template")
            if template:
                form = AnswerForm(
                    {
                        **request.POST.dict(),
                        "answer": template.body,
                        "status": template.status or form.cleaned_data["status"],
                    },
                    idea=idea,
                )
        else:
            try:
                services.idea_answer(
                    user=request.user,
                    idea=idea,
                    status=form.cleaned_data["status"],
                    answer=form.cleaned_data["answer"],
                    duplicate_of=form.cleaned_data.get("duplicate_of"),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The answer is published and the author is told."))
                return redirect(idea)
    context = _detail_context(request, idea)
    context["answer_form"] = form
    return render(request, "ideas/idea_detail.html", context, status=200)


@login_required
@require_POST
def idea_approve(request, reference):
    idea = _idea(request, reference)
    services.idea_approve(user=request.user, idea=idea)
    messages.success(request, _("The idea is published."))
    return redirect(idea)


def _follow_or_unfollow(request, *, followed: str, unfollowed: str, **target) -> None:
    """Follow the idea or consultation in `target`, or stop following it, and say so."""
    if request.POST.get("action") == "unfollow":
        services.unfollow(user=request.user, **target)
        messages.success(request, unfollowed)
    else:
        services.follow(user=request.user, **target)
        messages.success(request, followed)


@login_required
@require_POST
def idea_follow(request, reference):
    idea = _idea(request, reference)
    _follow_or_unfollow(
        request,
        idea=idea,
        followed=_("You follow this idea and get an e-mail when it is answered."),
        unfollowed=_("You no longer follow this idea."),
    )
    return redirect(next_path(request, idea.get_absolute_url()))


@login_required
@require_POST
def consultation_follow(request, slug):
    consultation = _consultation(request, slug)
    _follow_or_unfollow(
        request,
        consultation=consultation,
        followed=_("You follow this consultation and get an e-mail when a new phase starts."),
        unfollowed=_("You no longer follow this consultation."),
    )
    return redirect(next_path(request, consultation.get_absolute_url()))


@login_required
def answer_templates(request, slug):
    consultation = _consultation(request, slug)
    if not permissions.can_manage_answer_templates(request.user, consultation):
        raise PermissionDenied(_("Only the consultation's planners manage answer templates."))
    edit = None
    if request.GET.get("edit", "").isdigit():
        edit = get_object_or_404(
            AnswerTemplate, pk=int(request.GET["edit"]), consultation=consultation
        )
    form = AnswerTemplateForm(request.POST or None, instance=edit)
    if request.method == "POST":
        if "delete" in request.POST:
            template = get_object_or_404(
                AnswerTemplate, pk=request.POST.get("delete"), consultation=consultation
            )
            services.answer_template_delete(user=request.user, template=template)
            messages.success(request, _("The template is deleted."))
            return redirect("ideas:answer_templates", slug=slug)
        if form.is_valid():
            try:
                services.answer_template_save(
                    user=request.user,
                    consultation=consultation,
                    template=edit,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    status=form.cleaned_data["status"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The template is saved."))
                return redirect("ideas:answer_templates", slug=slug)
    return render(
        request,
        "ideas/answer_templates.html",
        {
            "consultation": consultation,
            "templates": consultation.answer_templates.all(),
            "form": form,
            "editing": edit,
            "list_url": reverse("ideas:answer_templates", kwargs={"slug": slug}),
        },
    )
