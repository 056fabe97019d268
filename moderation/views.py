"""Moderation pages: reporting, the planners' queue and item page, appeals, and "my data".

Each view validates its form, calls one service and renders; the rules live in services.py and
permissions.py.
"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from civic import ratelimit
from civic.reasons import public_reason_label
from civic.redirects import next_path
from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer

from . import data_page, permissions, privacy, selectors, services
from . import targets as t
from .activity import activity_of
from .forms import (
    AppealDecisionForm,
    AppealForm,
    BlockForm,
    DeleteAccountForm,
    EditForm,
    MessageForm,
    QueueActionForm,
    ReportForm,
)
from .models import Appeal, Block


def _target_or_404(kind: str, pk: int):
    try:
        return t.load(kind, pk)
    except ValidationError:
        raise Http404 from None


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- Reporting -------------------------------------------------------------------------------


@login_required
def report(request, kind: str, pk: int):
    target = _target_or_404(kind, pk)
    consultation = t.consultation_of(target)
    if not t.is_public(target) or not selectors.readable_by(request.user, target):
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.check(request, "report")
        except ratelimit.RateLimited as error:
            return ratelimit.too_many_response(request, error)
        try:
            services.report_create(
                reporter=request.user,
                target=target,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you. A planner will look at your report."))
            return redirect(t.url_of(target))
    return render(
        request,
        "moderation/report_form.html",
        {
            "form": form,
            "target": target,
            "title": t.title_of(target),
            "url": t.url_of(target),
            "consultation": consultation,
        },
    )


# --- The queue -------------------------------------------------------------------------------


@login_required
def queue(request, slug: str | None = None):
    consultation = None
    if slug is not None:
        consultation = consultation_for_viewer(
            request.user, slug, queryset=Consultation.objects.all()
        )
        if not permissions.can_view_queue(request.user, consultation):
            raise PermissionDenied(_("Only the planners of this consultation see its queue."))
    elif not permissions.can_view_any_queue(request.user):
        raise PermissionDenied(_("Only planners and councillors see the moderation queue."))
    items = selectors.moderation_queue(viewer=request.user, consultation=consultation)
    # Asked once per consultation, not per item: a long queue costs no extra queries.
    may_act: dict[int, bool] = {}
    for item in items:
        if item.consultation.pk not in may_act:
            may_act[item.consultation.pk] = permissions.can_hide(request.user, item.consultation)
        item.may_act = may_act[item.consultation.pk]
    consultations = selectors.queue_consultations(request.user).order_by("title")
    return render(
        request,
        "moderation/queue.html",
        {
            "items": items,
            "consultation": consultation,
            "consultations": consultations,
            "action_form": QueueActionForm(),
            "may_act_any": any(item.may_act for item in items),
        },
    )


@login_required
@require_POST
def act(request):
    """One action on the items ticked in the queue (or the one whose button was pressed)."""
    form = QueueActionForm(request.POST)
    keys = request.POST.getlist("items")
    back = next_path(request, reverse("moderation:queue"))
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(back)
    try:
        result = services.items_act(
            actor=request.user,
            action=form.cleaned_data["action"],
            keys=keys,
            public_reason=form.cleaned_data["public_reason"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if result.done:
        messages.success(
            request,
            ngettext("Done for %(n)s item.", "Done for %(n)s items.", len(result.done))
            % {"n": len(result.done)},
        )
    for key, reason in result.failed.items():
        messages.error(request, f"{key}: {reason}")
    return redirect(back)


@login_required
def item(request, kind: str, pk: int):
    """One item with its log, and the actions that need more than a click."""
    target = _target_or_404(kind, pk)
    consultation = t.consultation_of(target)
    user = request.user
    if not permissions.can_view_queue(user, consultation):
        raise PermissionDenied(_("Only the planners of this consultation moderate it."))
    is_idea = kind == "idea"
    forms = {
        "edit": EditForm(
            with_title=is_idea,
            initial={"title": getattr(target, "title", ""), "text": t.text_of(target)},
        ),
        "message": MessageForm(),
        "block": BlockForm(),
    }
    if request.method == "POST":
        which = request.POST.get("form")
        if which not in forms:
            raise Http404
        form_class = {"edit": EditForm, "message": MessageForm, "block": BlockForm}[which]
        extra = {"with_title": is_idea} if which == "edit" else {}
        form = form_class(request.POST, **extra)
        forms[which] = form
        if form.is_valid():
            try:
                _item_action(request, which, target, form.cleaned_data, consultation)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return redirect(request.path)
    author = t.author_of(target)
    histories = selectors.author_histories({author.pk}) if author else {}
    return render(
        request,
        "moderation/item.html",
        {
            "target": target,
            "kind": kind,
            "title": t.title_of(target),
            "text": t.text_of(target),
            "url": t.url_of(target),
            "consultation": consultation,
            "author": author,
            "history": histories.get(author.pk) if author else None,
            "blocks": selectors.active_blocks(user=author) if author else [],
            "log": selectors.item_log(target),
            "hidden": t.is_hidden(target),
            "pending": t.is_pending(target),
            "appeals": Appeal.objects.filter(**t.filter_of(target)).select_related("author"),
            "forms": forms,
            "may_act": permissions.can_hide(user, consultation),
            "may_block_site": permissions.can_block_site_wide(user),
            "action_form": QueueActionForm(),
            "decision_form": AppealDecisionForm(),
        },
    )


def _item_action(request, which: str, target, data: dict, consultation) -> None:
    user = request.user
    if which == "edit":
        services.item_edit(
            actor=user, target=target, text=data["text"], title=data.get("title"), note=data["note"]
        )
        messages.success(request, _("The text has been edited; the original is in the log."))
    elif which == "message":
        services.author_message(
            actor=user, target=target, subject=data["subject"], body=data["body"]
        )
        messages.success(request, _("Your message has been sent to the author."))
    else:
        author = t.author_of(target)
        if author is None:
            raise ValidationError({"scope": _("This item has no author to block.")})
        services.user_block(
            actor=user,
            user=author,
            consultation=consultation if data["scope"] == "consultation" else None,
            days=data["days"],
            reason=data["reason"],
            target=target,
        )
        messages.success(request, _("The author has been blocked."))


@login_required
@require_POST
def lift_block(request, pk: int):
    block = get_object_or_404(Block.objects.select_related("consultation"), pk=pk)
    services.block_lift(actor=request.user, block=block, note=request.POST.get("note", ""))
    messages.success(request, _("The block has been lifted."))
    return redirect(next_path(request, reverse("moderation:queue")))


# --- Appeals ---------------------------------------------------------------------------------


@login_required
def appeal(request, kind: str, pk: int):
    target = _target_or_404(kind, pk)
    if not permissions.can_appeal(request.user, t.author_id_of(target)):
        raise PermissionDenied(_("Only the author can appeal a decision about this contribution."))
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_create(
                author=request.user, target=target, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your appeal has been sent to the moderators."))
            return redirect(t.url_of(target))
    return render(
        request,
        "moderation/appeal_form.html",
        {
            "form": form,
            "target": target,
            "title": t.title_of(target),
            "text": t.text_of(target),
            "hidden_reason": public_reason_label(getattr(target, "hidden_reason", "")),
            "appealable": services.appealable(target),
        },
    )


@login_required
@require_POST
def appeal_decide(request, pk: int):
    appeal_row = get_object_or_404(Appeal, pk=pk)
    form = AppealDecisionForm(request.POST)
    back = reverse(
        "moderation:item", kwargs={"kind": appeal_row.target_kind, "pk": appeal_row.target.pk}
    )
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject."))
        return redirect(back)
    try:
        services.appeal_decide(
            actor=request.user,
            appeal=appeal_row,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The appeal has been decided and the author told."))
    return redirect(back)


# --- My activity and my data --------------------------------------------------------------------


@login_required
@require_GET
def my_activity(request):
    return render(request, "moderation/my_activity.html", {"activity": activity_of(request.user)})


@login_required
def my_data(request):
    profile, sections = data_page.readable(privacy.export_user_data(request.user))
    return render(request, "moderation/my_data.html", {"profile": profile, "sections": sections})


@login_required
def my_data_json(request):
    data = privacy.export_user_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.delete_account(
                user=request.user,
                password=form.cleaned_data["password"],
                contributions=form.cleaned_data["contributions"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted. Goodbye."))
            return redirect("/")
    return render(
        request,
        "moderation/delete_account.html",
        {"form": form, "needs_password": request.user.has_usable_password()},
    )
