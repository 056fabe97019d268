"""Debate pages. Each view reads input, calls one service or selector, and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civic import ratelimit
from civic.query_params import MAX_PAGE
from civic.redirects import next_path
from consultations.models import Consultation, Topic
from consultations.rules import require_phase, verification_refusal
from consultations.selectors import consultation_for_viewer, topic_for_viewer
from ideas.models import Idea
from ideas.selectors import idea_by_id_for_viewer

from . import permissions, selectors, services
from .forms import (
    CommentEditForm,
    CommentForm,
    PollForm,
    ReplyForm,
    TopicForm,
    add_service_errors,
)
from .models import CommentPublication
from .rendering import votes_html


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page_number(request: HttpRequest) -> int:
    try:
        # Clamped: beyond a bigint OFFSET the database would refuse the query.
        return min(MAX_PAGE, max(1, int(request.GET.get("page", 1))))
    except ValueError:
        return 1


def _focus(request: HttpRequest) -> int | None:
    """The comment to show first (`?comment=`), as after its author has posted it."""
    value = request.GET.get("comment", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def comments_url() -> str:
    """The path comment actions hang under ("/debate/comments/"): joined with the id in the
    templates, because reversing four URLs for each of hundreds of comments shows in the page's
    render time."""
    return reverse("debate:comment_vote", args=[0]).removesuffix("0/vote/")


def thread_context(request: HttpRequest, target: Topic | Idea) -> dict:
    """What the comment threads of a topic or an idea need, shared by pages and fragments."""
    user = request.user
    consultation = target.consultation
    page = selectors.comment_page(
        target=target,
        viewer=user,
        sort=request.GET.get("sort", selectors.DEFAULT_SORT),
        stance=request.GET.get("stance", "") if isinstance(target, Topic) else "",
        plan_feature=_feature_param(request) if isinstance(target, Topic) else None,
        page=_page_number(request),
        focus=_focus(request),
    )
    manages = permissions.can_manage_topics(user, consultation)
    permissions.annotate_comment_actions(user, page.comments_by_id.values(), manages=manages)
    if isinstance(target, Topic):
        action = reverse("debate:topic_comment", kwargs={"pk": target.pk})
        threads_url = target.get_absolute_url()
    else:
        action = reverse("debate:idea_comment", kwargs={"pk": target.pk})
        threads_url = reverse("debate:idea_threads", kwargs={"pk": target.pk})
    return {
        "target": target,
        "consultation": consultation,
        "page": page,
        "may_comment": permissions.can_comment(user, consultation),
        "may_manage": manages,
        "comments_closed_reason": _closed_reason(consultation, "comment"),
        "sorts": _sort_choices(),
        "comment_action": action,
        "threads_url": threads_url,
        "comments_url": comments_url(),
        "plan_map_url": consultation.get_absolute_url(),
    }


def _feature_param(request: HttpRequest) -> int | None:
    """?feature=<plan feature id>: only the comments on that part of the plan."""
    raw = request.GET.get("feature", "")
    return int(raw) if raw.isdigit() else None


def _anchor_initial(request: HttpRequest) -> dict:
    """The plan feature (and point) a link from the map chose for a new comment."""
    initial = {}
    feature = _feature_param(request)
    if feature:
        initial["plan_feature"] = feature
        for name, key in (("anchor_longitude", "lon"), ("anchor_latitude", "lat")):
            try:
                initial[name] = float(request.GET.get(key, ""))
            except ValueError:
                return {"plan_feature": feature}
    return initial


def topic_context(request: HttpRequest, topic: Topic, *, comment_form=None, poll_form=None):
    context = thread_context(request, topic)
    plan_features = selectors.plan_features_for_comments(topic.consultation)
    filtered = context["page"].plan_feature
    context["plan_features"] = plan_features
    context["filter_feature"] = next(
        (f for _layer, features in plan_features for f in features if f.pk == filtered), None
    )
    poll = selectors.poll_for(topic, request.user)
    if poll is not None and poll_form is None:
        poll_form = PollForm(poll=poll)
    context.update(
        {
            "topic": topic,
            "poll": poll,
            "poll_refusal": verification_refusal(topic.consultation, request.user)
            if poll is not None and request.user.is_authenticated
            else None,
            "poll_form": poll_form,
            "balance": selectors.stance_balance(topic),
            "comment_form": comment_form
            or CommentForm(
                may_answer_officially=context["may_manage"],
                plan_features=plan_features,
                initial=_anchor_initial(request),
            ),
        }
    )
    return context


def _closed_reason(consultation: Consultation, action: str) -> str:
    """Why the phase does not allow the action now, or "" when it does."""
    try:
        require_phase(consultation, action)
    except PermissionDenied as denied:
        return str(denied)
    return ""


def _sort_choices():
    return [("best", _("Best")), ("newest", _("Newest")), ("oldest", _("Oldest"))]


@require_GET
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for_viewer(request.user, pk)
    context = topic_context(request, topic)
    if _is_htmx(request) and request.GET.get("fragment") == "threads":
        return render(request, "debate/_threads.html", context)
    return render(request, "debate/topic_detail.html", context)


@require_GET
def idea_threads(request: HttpRequest, pk: int) -> HttpResponse:
    """The next page of an idea's threads, for "load more" (htmx) and for links without it."""
    idea = idea_by_id_for_viewer(request.user, pk)
    context = thread_context(request, idea)
    if _is_htmx(request):
        return render(request, "debate/_threads.html", context)
    return redirect(f"{idea.get_absolute_url()}?page={context['page'].number}#comments")


@login_required
@require_POST
def topic_comment(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for_viewer(request.user, pk)
    return _post_comment(request, topic)


@login_required
@require_POST
def idea_comment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = idea_by_id_for_viewer(request.user, pk)
    return _post_comment(request, idea)


def _post_comment(request: HttpRequest, target: Topic | Idea) -> HttpResponse:
    manages = permissions.can_manage_topics(request.user, target.consultation)
    is_reply = bool(request.POST.get("parent"))
    form_class = ReplyForm if is_reply else CommentForm
    plan_features = (
        selectors.plan_features_for_comments(target.consultation)
        if isinstance(target, Topic) and not is_reply
        else ()
    )
    form = form_class(
        request.POST,
        with_stance=isinstance(target, Topic),
        may_answer_officially=manages,
        plan_features=plan_features,
    )
    parent = None
    if form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = selectors.comments_visible_to(request.user).filter(pk=parent_id).first()
            if parent is None:
                form.add_error(None, _("The comment you replied to no longer exists."))
    if form.is_valid():
        try:
            ratelimit.check(request, "comment")
        except ratelimit.RateLimited as error:
            return ratelimit.too_many_response(request, error)
        try:
            comment = services.comment_create(
                author=request.user,
                target=target,
                body=form.cleaned_data["body"],
                parent=parent,
                stance=form.cleaned_data.get("stance", ""),
                official=form.cleaned_data.get("official", False),
                plan_feature=form.cleaned_data.get("plan_feature"),
                anchor_longitude=form.cleaned_data.get("anchor_longitude"),
                anchor_latitude=form.cleaned_data.get("anchor_latitude"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if comment.publication == CommentPublication.PENDING_MODERATION:
                messages.info(request, _("Thank you. Your comment will appear once approved."))
            else:
                messages.success(request, _("Your comment has been published."))
                # Its thread first, whatever the sort and however many threads come before it.
                return redirect(
                    f"{target.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
                )
            return redirect(comment.get_absolute_url())
    return render(
        request,
        "debate/comment_form.html",
        {"form": form, "target": target, "parent": parent, "is_reply": is_reply},
        status=400,
    )


@login_required
@require_GET
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The form to answer a comment: inline through htmx, or a page of its own without it."""
    parent = selectors.comment_for_viewer(request.user, pk)
    if not parent.is_visible or parent.publication != CommentPublication.PUBLISHED:
        raise Http404
    target = parent.target
    if not permissions.can_comment(request.user, target.consultation):
        raise PermissionDenied(_("Log in to take part in the debate."))
    reason = _closed_reason(target.consultation, "comment")
    if reason:
        raise PermissionDenied(reason)
    action_name = "debate:topic_comment" if parent.topic_id else "debate:idea_comment"
    context = {
        "parent": parent,
        "action": reverse(action_name, kwargs={"pk": target.pk}),
        "may_answer_officially": permissions.can_manage_topics(request.user, target.consultation),
        "autofocus": _is_htmx(request),
    }
    if _is_htmx(request):
        return render(request, "debate/_reply_form.html", context)
    return render(request, "debate/comment_reply.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_viewer(request.user, pk)
    if not permissions.can_edit_comment(request.user, comment):
        raise PermissionDenied(_("Only the author may edit this comment."))
    # The author goes on from what they last wrote: their waiting edit, if there is one.
    written = comment.pending_body if comment.has_pending_edit else comment.body
    form = CommentEditForm(request.POST or None, initial={"body": written})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                edited = services.comment_edit(
                    actor=request.user, comment=comment, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if getattr(edited, "edit_held", False):
                    messages.info(
                        request,
                        _("Thank you. Your edit will be shown once a moderator has approved it."),
                    )
                else:
                    messages.success(request, _("Your comment has been updated."))
                return redirect(comment.get_absolute_url())
        status = 400
    return render(
        request, "debate/comment_edit.html", {"form": form, "comment": comment}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_viewer(request.user, pk)
    if not permissions.can_delete_comment(request.user, comment):
        raise PermissionDenied(_("Only the author may delete this comment."))
    if request.method == "POST":
        services.comment_delete(actor=request.user, comment=comment)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(comment.get_absolute_url())
    return render(request, "debate/comment_delete.html", {"comment": comment})


@login_required
@require_POST
def comment_vote(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_viewer(request.user, pk)
    try:
        value = int(request.POST.get("value", ""))
    except ValueError:
        value = 99  # let the service explain what a vote is
    try:
        comment = services.comment_vote(user=request.user, comment=comment, value=value)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
    if _is_htmx(request):
        comment.viewer_vote = value
        comment.may_vote = permissions.can_vote_comment(request.user, comment)
        return HttpResponse(votes_html(request, comment, comments_url=comments_url()))
    return redirect(_back(request, comment.get_absolute_url()))


@login_required
@require_POST
def comment_official(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_viewer(request.user, pk)
    official = request.POST.get("official", "1") != "0"
    services.comment_mark_official(actor=request.user, comment=comment, official=official)
    if official:
        messages.success(request, _("The comment is now marked as the official answer."))
    else:
        messages.success(request, _("The official mark has been removed."))
    return redirect(comment.get_absolute_url())


@login_required
@require_POST
def poll_answer(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for_viewer(request.user, pk)
    poll = selectors.poll_for(topic, request.user)
    if poll is None:
        raise Http404
    form = PollForm(request.POST, poll=poll)
    if form.is_valid():
        try:
            services.poll_answer(
                user=request.user, topic=topic, option_ids=form.cleaned_data["options"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for answering."))
            return redirect(f"{topic.get_absolute_url()}#poll")
    context = topic_context(request, topic, poll_form=form)
    return render(request, "debate/topic_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = consultation_for_viewer(request.user, slug, queryset=Consultation.objects.all())
    if not permissions.can_manage_topics(request.user, consultation):
        raise PermissionDenied(_("Only the planners of this consultation may open topics."))
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                actor=request.user, consultation=consultation, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The topic has been opened."))
            return redirect(topic.get_absolute_url())
    return render(
        request,
        "debate/topic_form.html",
        {"form": form, "consultation": consultation, "topic": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for_viewer(request.user, pk)
    if not permissions.can_manage_topics(request.user, topic.consultation):
        raise PermissionDenied(_("Only the planners of this consultation may edit topics."))
    form = TopicForm(request.POST or None, initial=TopicForm.initial_for(topic))
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(actor=request.user, topic=topic, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The topic has been saved."))
            return redirect(topic.get_absolute_url())
    return render(
        request,
        "debate/topic_form.html",
        {"form": form, "consultation": topic.consultation, "topic": topic},
        status=400 if request.method == "POST" else 200,
    )


def _back(request: HttpRequest, fallback: str) -> str:
    return next_path(request, fallback)
