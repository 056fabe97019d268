"""Staff pages (channels, composer, posts), the public embed, the limit check and webhooks."""

from __future__ import annotations

import logging
import mimetypes
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civic import json_input
from civic.permissions import is_staff_role
from civic.query_params import filter_choices
from civic.redirects import next_path
from civic.security_headers import embeddable, posts_to_other_sites
from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer
from social import images, oauth, permissions, selectors, services
from social.forms import (
    ChannelForm,
    CrisisStopForm,
    HideCommentForm,
    PageChoiceForm,
    PlatformLoginForm,
    ReauthoriseForm,
    RescheduleForm,
    ScheduleForm,
)
from social.models import PLATFORM_NAMES, Channel, ImportedComment, SocialPost
from social.webhooks import verify_challenge, verify_signature

logger = logging.getLogger(__name__)
INBOX_PAGE_SIZE = 30
INBOX_FILTERS = ("consultation", "channel", "unanswered", "mine", "page")


def _require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or _("You may not do this."))


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(" ".join(messages_) for messages_ in error.message_dict.values())
    return " ".join(error.messages)


# --- Channels ------------------------------------------------------------------------------------
@login_required
@posts_to_other_sites
@require_http_methods(["GET", "POST"])
def channel_list(request: HttpRequest) -> HttpResponse:
    _require(is_staff_role(request.user))
    can_manage = permissions.can_manage_channels(request.user)
    form = ChannelForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        _require(can_manage, _("Only administrators connect social channels."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                channel = services.channel_connect(
                    actor=request.user,
                    platform=data["platform"],
                    name=data["name"],
                    base_url=data["base_url"],
                    credentials=data["credentials"],
                    token_expires_at=data["token_expires_at"],
                )
            except ValidationError as error:
                for field, reasons in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, reasons)
            else:
                messages.success(request, _("Connected %(channel)s.") % {"channel": channel})
                return redirect("social:channels")
    return _channels_page(request, form=form, can_manage=can_manage)


def _channels_page(
    request: HttpRequest,
    *,
    form: ChannelForm | None = None,
    login_form: PlatformLoginForm | None = None,
    can_manage: bool = True,
    status: int = 200,
) -> HttpResponse:
    if can_manage and form is None:
        form = ChannelForm()
    return render(
        request,
        "social/channels.html",
        {
            "channels": selectors.channels(),
            "form": form,
            "can_manage": can_manage,
            # The platforms whose login is set up; the others are connected with the form.
            "login_platforms": oauth.offered_platforms() if can_manage else [],
            "login_form": login_form or PlatformLoginForm(),
            "stop": selectors.active_stop(),
            "stop_form": CrisisStopForm(),
        },
        status=status,
    )


@login_required
@require_POST
def channel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.listed(), pk=pk)
    services.channel_remove(actor=request.user, channel=channel)
    messages.success(request, _("Removed %(channel)s.") % {"channel": channel})
    return redirect("social:channels")


@login_required
@posts_to_other_sites
@require_http_methods(["GET", "POST"])
def channel_reauthorise(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_channels(request.user))
    channel = get_object_or_404(Channel.objects.listed(), pk=pk)
    form = ReauthoriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.channel_reauthorise(
                    actor=request.user,
                    channel=channel,
                    credentials=form.cleaned_data["credentials"],
                    token_expires_at=form.cleaned_data["token_expires_at"],
                )
                # A refresh token from an earlier login does not belong to a pasted token.
                channel.token_grant = {}
                channel.save(update_fields=["token_grant_encrypted"])
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("%(channel)s is connected again.") % {"channel": channel})
            return redirect("social:channels")
    return render(
        request,
        "social/reauthorise.html",
        {"channel": channel, "form": form, "login_offered": oauth.is_offered(channel.platform)},
    )


# --- Platform login (OAuth 2.0) ------------------------------------------------------------------
def _login_failed(request: HttpRequest, error: oauth.LoginError) -> HttpResponse:
    """A page that says what went wrong and leads back to where the login started."""
    back = reverse("social:channels")
    if error.channel_id is not None:
        back = reverse("social:channel_reauthorise", args=[error.channel_id])
    return render(
        request,
        "social/oauth_error.html",
        {
            "message": error.message,
            "back": back,
            "state_mismatch": isinstance(error, oauth.StateMismatch),
        },
        status=error.status,
    )


@login_required
@posts_to_other_sites
@require_POST
def oauth_start(request: HttpRequest) -> HttpResponse:
    """Send the administrator to the platform's consent dialog."""
    _require(
        permissions.can_manage_channels(request.user),
        _("Only administrators connect social channels."),
    )
    channel = None
    platform = request.POST.get("platform", "")
    if request.POST.get("channel"):
        try:
            channel = Channel.objects.listed().get(pk=int(request.POST["channel"]))
        except (ValueError, Channel.DoesNotExist):
            return HttpResponseBadRequest(_("Choose a channel."))
        platform = channel.platform
    if not oauth.is_offered(platform):
        return _login_failed(
            request, oauth.LoginError(_("Connecting with this platform's login is not set up."))
        )
    form = PlatformLoginForm(request.POST, platform=platform)
    if channel is None and not form.is_valid():
        return _channels_page(request, login_form=form, status=400)
    data = form.cleaned_data if channel is None else {}
    try:
        url = oauth.begin(
            request.session,
            platform=platform,
            base_url=data.get("base_url", ""),
            name=data.get("name", ""),
            channel=channel,
        )
    except oauth.LoginError as error:
        error.channel_id = channel.pk if channel else None
        return _login_failed(request, error)
    return redirect(url)


@login_required
@posts_to_other_sites
@require_GET
def oauth_callback(request: HttpRequest, platform: str) -> HttpResponse:
    """Where the platform sends the browser back, with a code or the reason there is none."""
    _require(
        permissions.can_manage_channels(request.user),
        _("Only administrators connect social channels."),
    )
    if platform not in oauth.OAUTH_PLATFORMS:
        return HttpResponseBadRequest(_("Unknown platform."))
    try:
        result = oauth.complete(
            request.session, platform=platform, params=request.GET, actor=request.user
        )
    except oauth.LoginDenied as error:
        messages.warning(request, error.message)
        if error.channel_id is not None:
            return redirect("social:channel_reauthorise", error.channel_id)
        return redirect("social:channels")
    except oauth.LoginError as error:
        return _login_failed(request, error)
    except ValidationError as error:
        return _login_failed(request, oauth.LoginError(_error_text(error)))
    if isinstance(result, oauth.PageChoice):
        return redirect("social:oauth_choose_page")
    messages.success(request, _("%(channel)s is connected.") % {"channel": result})
    return redirect("social:channels")


@login_required
@require_http_methods(["GET", "POST"])
def oauth_choose_page(request: HttpRequest) -> HttpResponse:
    """Facebook: the account manages several pages; the administrator picks the channel's."""
    _require(
        permissions.can_manage_channels(request.user),
        _("Only administrators connect social channels."),
    )
    flow = oauth.pending_page_choice(request.session)
    if flow is None:
        return _login_failed(
            request, oauth.StateMismatch(_("The login took too long. Start the connection again."))
        )
    try:
        pages = oauth.page_choices(flow)
        form = PageChoiceForm(request.POST or None, pages=pages)
        if request.method == "POST" and form.is_valid():
            try:
                channel = oauth.choose_page(
                    request.session, page_id=form.cleaned_data["page"], actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("%(channel)s is connected.") % {"channel": channel})
                return redirect("social:channels")
    except oauth.LoginError as error:
        return _login_failed(request, error)
    return render(request, "social/oauth_pages.html", {"form": form})


# --- Crisis stop ---------------------------------------------------------------------------------
@login_required
@require_POST
def crisis_stop(request: HttpRequest) -> HttpResponse:
    back = next_path(request, reverse("social:channels"))
    try:
        if request.POST.get("action") == "lift":
            services.crisis_stop_lift(actor=request.user)
            messages.success(request, _("Publishing has resumed."))
        else:
            form = CrisisStopForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why publishing stops."))
                return redirect(back)
            services.crisis_stop_start(actor=request.user, reason=form.cleaned_data["reason"])
            messages.warning(request, _("Publishing is stopped on every channel."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(back)


# --- Composer and posts --------------------------------------------------------------------------
def _consultation_or_none(request: HttpRequest, slug: str | None) -> Consultation | None:
    if slug is None:
        _require(permissions.can_use_composer(request.user))
        return None
    consultation = consultation_for_viewer(request.user, slug, queryset=Consultation.objects.all())
    _require(permissions.can_use_composer(request.user, consultation))
    return consultation


def _default_text(consultation: Consultation | None, channel: Channel) -> str:
    if consultation is None:
        return ""
    link = services.tracked_link(consultation, channel.platform)
    hashtag = f"#{consultation.hashtag.lstrip('#')}" if consultation.hashtag else ""
    return f"{consultation.title}\n\n{link} {hashtag}".strip()


@login_required
@require_http_methods(["GET", "POST"])
def composer(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    consultation = _consultation_or_none(request, slug)
    channels = list(Channel.objects.active())
    schedule_form = ScheduleForm(request.POST or None, prefix="all")
    texts = {channel.pk: _default_text(consultation, channel) for channel in channels}
    errors: dict[int, str] = {}
    alt_text = services.map_alt_text(consultation) if consultation else ""
    attach_map = consultation is not None
    if request.method == "POST":
        alt_text = request.POST.get("alt_text", "").strip()
        attach_map = consultation is not None and request.POST.get("attach_map") == "on"
        texts = {channel.pk: request.POST.get(f"text_{channel.pk}", "") for channel in channels}
        if not any(text.strip() for text in texts.values()):
            messages.error(request, _("Write a text for at least one channel."))
        elif schedule_form.is_valid():
            created, errors = _create_drafts(
                request,
                consultation,
                channels,
                texts,
                alt_text,
                attach_map,
                schedule_form.cleaned_data["scheduled_at"],
            )
            if created and not errors:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s draft waits for a second planner's approval.",
                        "%(count)s drafts wait for a second planner's approval.",
                        len(created),
                    )
                    % {"count": len(created)},
                )
                return redirect(_posts_url(consultation))
    posts = selectors.posts_for(consultation) if consultation else selectors.manual_posts()
    return render(
        request,
        "social/composer.html",
        {
            "consultation": consultation,
            "rows": [
                {"channel": c, "text": texts.get(c.pk, ""), "error": errors.get(c.pk, "")}
                for c in channels
            ],
            "schedule_form": schedule_form,
            "alt_text": alt_text,
            "attach_map": attach_map,
            "posts": posts,
            "stop": selectors.active_stop(),
            "stop_form": CrisisStopForm(),
            "comments": selectors.comments_for(consultation)[:100] if consultation else [],
            "user_id": request.user.pk,
            "embed_url": request.build_absolute_uri(reverse("embed", args=[slug]))
            if consultation
            else "",
        },
    )


def _create_drafts(request, consultation, channels, texts, alt_text, attach_map, scheduled_at):
    created, errors = [], {}
    image = None
    if attach_map:
        image, default_alt = services._map_image(consultation)
        alt_text = alt_text or default_alt
    for channel in channels:
        text = texts[channel.pk].strip()
        if not text:
            continue
        try:
            post = services.post_create(
                actor=request.user,
                channel=channel,
                text=text,
                consultation=consultation,
                scheduled_at=scheduled_at,
                image=_copy(image) if image else None,
                alt_text=alt_text if image else "",
            )
        except ValidationError as error:
            errors[channel.pk] = _error_text(error)
        else:
            created.append(post)
    return created, errors


def _copy(image):
    from django.core.files.base import ContentFile

    image.seek(0)
    return ContentFile(image.read(), name=image.name)


def _posts_url(consultation: Consultation | None) -> str:
    if consultation is None:
        return reverse("social:compose")
    return reverse("social:composer", args=[consultation.slug]) + "#posts"


@login_required
@require_POST
def post_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post = get_object_or_404(SocialPost.objects.select_related("consultation", "channel"), pk=pk)
    _require(permissions.can_use_composer(request.user, post.consultation))
    try:
        if action == "approve":
            services.post_approve(actor=request.user, post=post)
            messages.success(request, _("Approved. The post goes out when it is due."))
        elif action == "publish-now":
            services.post_publish_now(actor=request.user, post=post)
            messages.success(request, _("The post is on its way."))
        elif action == "schedule":
            form = ScheduleForm(request.POST, prefix=f"p{post.pk}")
            if not form.is_valid():
                raise ValidationError({"scheduled_at": _("Enter a valid date and time.")})
            services.post_schedule(
                actor=request.user, post=post, scheduled_at=form.cleaned_data["scheduled_at"]
            )
            messages.success(request, _("The time is saved."))
        elif action == "edit":
            services.post_update(actor=request.user, post=post, text=request.POST.get("text", ""))
            messages.success(request, _("Saved. The post needs approval again."))
        elif action in ("resend", "cancel"):
            services.post_confirm(actor=request.user, post=post, resend=action == "resend")
            messages.success(request, _("Your decision is recorded."))
        elif action == "delete":
            services.post_unpublish(actor=request.user, post=post)
            messages.success(request, _("The post is deleted on the platform."))
        elif action == "send-back":
            services.post_send_back(
                actor=request.user, post=post, note=request.POST.get("note", "")
            )
            messages.success(request, _("The post is sent back to its author with your note."))
        else:
            return HttpResponseBadRequest()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    if request.POST.get("back") == "approvals":
        return redirect("social:approvals")
    if request.POST.get("back") == "calendar":
        # Back to the period the person was looking at (only the two known parameters).
        query = {key: request.POST[key][:10] for key in ("view", "date") if request.POST.get(key)}
        return redirect(reverse("social:calendar") + ("?" + urlencode(query) if query else ""))
    return redirect(_posts_url(post.consultation))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _calendar_url(view: str | None, focus) -> str:
    query = {}
    if view:
        query["view"] = view
    if focus:
        query["date"] = focus.isoformat()
    return reverse("social:calendar") + ("?" + urlencode(query) if query else "")


@login_required
@require_http_methods(["GET", "POST"])
def post_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """A post's new day and time: a form that works without a script, and the endpoint the
    calendar's drag and drop posts to (answering JSON when asked for it)."""
    post = get_object_or_404(SocialPost.objects.select_related("consultation", "channel"), pk=pk)
    _require(permissions.can_reschedule_post(request.user, post))
    json_answer = _wants_json(request)
    if request.method == "GET":
        local = timezone.localtime(post.scheduled_at) if post.scheduled_at else None
        back = RescheduleForm(
            {"view": request.GET.get("view", ""), "focus": request.GET.get("date", "")}
        )
        back.is_valid()
        focus = back.cleaned_data.get("focus")
        form = RescheduleForm(
            initial={
                "date": local.date() if local else None,
                "time": local.strftime("%H:%M") if local else None,
                "view": back.cleaned_data.get("view", ""),
                "focus": focus.isoformat() if focus else "",
            }
        )
        return render(request, "social/reschedule.html", {"post": post, "form": form})
    form = RescheduleForm(request.POST)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            services.post_reschedule(
                actor=request.user, post=post, scheduled_at=form.scheduled_at()
            )
        except ValidationError as error:
            errors = {"scheduled_at": error.messages}
            form.add_error(None, error.messages)
    else:
        errors = {field: list(reasons) for field, reasons in form.errors.items()}
    if errors:
        if json_answer:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return render(request, "social/reschedule.html", {"post": post, "form": form}, status=400)
    post.refresh_from_db()
    local = timezone.localtime(post.scheduled_at)
    message = _("Moved to %(day)s at %(time)s.") % {
        "day": formats.date_format(local.date(), "DATE_FORMAT"),
        "time": local.strftime("%H:%M"),
    }
    if json_answer:
        return JsonResponse(
            {
                "ok": True,
                "message": message,
                "day": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
                "when": local.isoformat(),
                "state": post.state,
                "state_label": post.get_state_display(),
            }
        )
    messages.success(request, message)
    view = form.cleaned_data.get("view") or None
    return redirect(_calendar_url(view, form.cleaned_data.get("focus") or local.date()))


@login_required
@require_GET
def content_calendar(request: HttpRequest) -> HttpResponse:
    """Every post with a time, by week or month, beside each channel's cadence."""
    from consultations.models import Consultation
    from social import calendar
    from social.forms import CalendarForm

    _require(permissions.can_use_composer(request.user))
    form = CalendarForm(request.GET or None)
    choice, valid = filter_choices(form)
    focus = choice.get("date") or timezone.localdate()
    period = calendar.period_for(choice.get("view") or "week", focus)
    return render(
        request,
        "social/calendar.html",
        {
            "form": form,
            "calendar": calendar.build(period, Consultation.objects.managed_by(request.user)),
            "today": timezone.localdate(),
        },
        status=200 if valid else 400,
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Public comments from every channel and the site's own debate in one list ("answer one,
    inform all")."""
    from social.forms import InboxFilterForm

    _require(permissions.can_use_composer(request.user))
    form = InboxFilterForm(request.GET or None, user=request.user)
    chosen, valid = filter_choices(form)
    items = selectors.inbox(
        request.user,
        consultation=chosen.get("consultation"),
        channel=chosen.get("channel"),
        unanswered=chosen.get("unanswered", False),
        assigned_to=request.user if chosen.get("mine") else None,
    )
    page = Paginator(items, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    # What the officer typed before the platform refused it stays in its form.
    drafts = request.session.pop(INBOX_DRAFTS, {}) if INBOX_DRAFTS in request.session else {}
    for item in page:
        item.draft = drafts.get(f"{item.key}:reply", "")
        item.official_draft = drafts.get(f"{item.key}:official") or (
            services.official_answer_draft(item.text, item.answer_text or "")
        )
        item.failed = {
            action for action in ("reply", "official") if f"{item.key}:{action}" in drafts
        }
    return render(
        request,
        "social/inbox.html",
        {
            "form": form,
            "page": page,
            "colleagues": selectors.colleagues(),
            "response_times": selectors.response_times(request.user),
            "response_window_days": selectors.RESPONSE_WINDOW_DAYS,
            "reply_max_length": services.INBOX_REPLY_MAX_LENGTH,
            "query": _without_page(request.GET),
            "hideable": permissions.HIDE_ON_PLATFORM,
        },
        status=200 if valid else 400,
    )


INBOX_DRAFTS = "social_inbox_drafts"


def _without_page(params) -> str:
    kept = params.copy()
    kept.pop("page", None)
    return kept.urlencode()


def _assignee(request: HttpRequest):
    from civic.models import User

    chosen = request.POST.get("assigned_to", "")
    assignee = User.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if chosen and assignee is None:
        raise ValidationError({"assigned_to": _("Choose a colleague from the list.")})
    return assignee


def _back_to_inbox(request: HttpRequest, anchor: str) -> HttpResponse:
    back = request.POST.get("query", "")
    query = urlencode(
        {k: v for k, v in QueryDict(back).items() if k in INBOX_FILTERS and len(v) <= 100}
    )
    return redirect(reverse("social:inbox") + (f"?{query}" if query else "") + f"#{anchor}")


def _keep_draft(request: HttpRequest, key: str, action: str) -> None:
    drafts = request.session.get(INBOX_DRAFTS, {})
    drafts[f"{key}:{action}"] = request.POST.get("text", "")[: services.INBOX_REPLY_MAX_LENGTH * 3]
    # A handful at most: the page shows one refusal at a time.
    request.session[INBOX_DRAFTS] = dict(list(drafts.items())[-5:])


def _done_message(action: str, platform: str) -> str:
    return {
        "assign": _("Saved."),
        "answered": _("Marked as answered."),
        "reply": _("Your answer is published on the platform.")
        if platform != selectors.SITE
        else _("Your answer is published in the debate."),
        "hide": _("The comment is hidden on %(platform)s."),
        "unhide": _("The comment is shown again on %(platform)s."),
        "official": _("The answer is published on the consultation."),
    }[action] % {"platform": PLATFORM_NAMES.get(platform, platform)}


def _inbox_act(request: HttpRequest, item, source: str, action: str) -> HttpResponse:
    pk = item.pk
    if action not in services.INBOX_ACTIONS[source]:
        return HttpResponseBadRequest()
    key = f"{source}:{pk}"
    try:
        services.inbox_act(
            actor=request.user,
            item=item,
            action=action,
            text=request.POST.get("text", ""),
            assignee=_assignee(request) if action == "assign" else None,
        )
    except ValidationError as error:
        if action in ("reply", "official"):
            _keep_draft(request, key, action)
        messages.error(request, _error_text(error))
    else:
        platform = item.platform if source == "social" else selectors.SITE
        messages.success(request, _done_message(action, platform))
    return _back_to_inbox(request, f"comment-{pk}" if source == "social" else f"site-{pk}")


@login_required
@require_POST
def inbox_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    comment = get_object_or_404(
        ImportedComment.objects.select_related("post__channel", "post__consultation"), pk=pk
    )
    return _inbox_act(request, comment, "social", action)


@login_required
@require_POST
def inbox_site_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The inbox's actions on a comment of the site's own debate."""
    from debate.selectors import comments_visible_to

    comment = get_object_or_404(
        comments_visible_to(request.user).select_related("consultation", "topic", "idea", "author"),
        pk=pk,
    )
    _require(permissions.can_answer_site_comment(request.user, comment))
    return _inbox_act(request, comment, selectors.SITE, action)


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """The four-eyes desk: posts waiting for my approval, and my posts sent back to me."""
    _require(permissions.can_use_composer(request.user))
    return render(
        request,
        "social/approvals.html",
        {
            "waiting": list(selectors.awaiting_my_approval(request.user)),
            "sent_back": list(selectors.sent_back_to(request.user)),
            "note_max_length": services.SEND_BACK_NOTE_MAX_LENGTH,
        },
    )


@login_required
@require_POST
def comment_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(ImportedComment.objects.select_related("post"), pk=pk)
    form = HideCommentForm(request.POST)
    form.is_valid()
    try:
        services.imported_comment_hide(
            actor=request.user,
            comment=comment,
            hidden=request.POST.get("hide") == "1",
            reason=form.cleaned_data.get("hidden_reason", ""),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    consultation = comment.post.consultation
    return redirect(_posts_url(consultation).replace("#posts", "#imported-comments"))


@login_required
@require_POST
def check(request: HttpRequest) -> JsonResponse:
    """The composer's live counters: the server applies each platform's rules."""
    _require(permissions.can_use_composer(request.user))
    try:
        payload = json_input.loads(request.body or b"{}")
        channel = Channel.objects.listed().get(pk=int(payload.get("channel")))
        text = str(payload.get("text", ""))
    except (ValueError, TypeError, AttributeError, Channel.DoesNotExist):
        return JsonResponse({"channel": [_("Choose a channel.")]}, status=400)
    result = services.check_text(
        channel, text, has_image=bool(payload.get("image")), alt_text=str(payload.get("alt", ""))
    )
    return JsonResponse(
        {
            "ok": result.ok,
            "length": result.length,
            "limit": result.limit,
            "remaining": result.remaining,
            "errors": list(result.errors),
            "warnings": list(result.warnings),
            "cost_usd": str(result.cost_usd) if result.cost_usd is not None else None,
        }
    )


# --- Public --------------------------------------------------------------------------------------
@xframe_options_exempt
@embeddable
@require_GET
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """A compact view of a consultation that other sites may frame (the "Deltag" tab)."""
    consultation = consultation_for_viewer(request.user, slug, queryset=Consultation.objects.all())
    if consultation.status == "draft":
        raise PermissionDenied(_("This consultation is not public."))
    return render(
        request,
        "social/embed.html",
        {
            "consultation": consultation,
            "phase": consultation.current_phase(),
            "url": request.build_absolute_uri(consultation.get_absolute_url())
            + f"?utm_source=embed&utm_medium=iframe&utm_campaign={consultation.slug}",
        },
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def facebook_webhook(request: HttpRequest) -> HttpResponse:
    """Meta's subscription check (GET) and change notices (POST, signed over the raw body)."""
    from django.conf import settings

    if request.method == "GET":
        challenge = verify_challenge(
            {key: request.GET.get(key, "") for key in request.GET},
            settings.SOCIAL_FACEBOOK_WEBHOOK_VERIFY_TOKEN,
        )
        if challenge is None:
            return HttpResponseForbidden("verification failed")
        return HttpResponse(challenge, content_type="text/plain")
    raw = request.body
    header = request.headers.get("X-Hub-Signature-256")
    channels = [
        channel
        for channel in Channel.objects.listed().filter(platform="facebook")
        if verify_signature(raw, header, channel.credentials.get("app_secret", ""))
    ]
    if not channels:
        return HttpResponseForbidden("bad signature")
    try:
        payload = json_input.loads(raw)
    except ValueError:
        return HttpResponseBadRequest("not JSON")
    post_ids = _commented_posts(payload, channels)
    if post_ids:
        # Meta waits only a few seconds for the answer and retries otherwise: the comments are
        # read by a worker after we answer, never inside the request.
        from social import tasks

        transaction.on_commit(partial(tasks.import_comments.delay, post_ids))
    return HttpResponse("ok", content_type="text/plain")


def _commented_posts(payload: dict, channels: list[Channel]) -> list[int]:
    """Our posts that a feed change notice says were commented on."""
    remote_ids = set()
    for entry in payload.get("entry", []) if isinstance(payload, dict) else []:
        for change in entry.get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict) and value.get("item") == "comment" and value.get("post_id"):
                remote_ids.add(str(value["post_id"]))
    if not remote_ids:
        return []
    return list(
        SocialPost.objects.filter(channel__in=channels, remote_id__in=remote_ids).values_list(
            "pk", flat=True
        )
    )


@require_GET
def public_image(request, token: str):
    """Serve a post's stored image to the platform that fetches it (Instagram), by its signed,
    expiring address; anything else is a 404."""
    name = images.public_image_name(token)
    if name is None:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
