import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django.views.i18n import set_language

from . import consent, legal
from .api import json_error_for_api
from .forms import ConsentForm, ProfileForm
from .notifications import notices_read
from .services import user_language_set

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database and the cache answer, 503 with the failing part otherwise."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any driver error means "down" to a load balancer
        logger.warning("health check: database unavailable: %s", exc)
        return "unavailable"


def _check_cache() -> str:
    try:
        cache.set("healthz", "1", 5)
        return "ok" if cache.get("healthz") == "1" else "unavailable"
    except Exception as exc:
        logger.warning("health check: cache unavailable: %s", exc)
        return "unavailable"


def switch_language(request):
    """Django's language switch; a signed-in person's choice is also kept on the account, for
    the e-mails and notices sent to them."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("civic:profile")
    return render(request, "civic/profile.html", {"form": form})


@csrf_exempt  # mail programs POST here (RFC 8058) without a CSRF token; the token is the secret
@never_cache
def unsubscribe(request, token):
    """Stop one kind of notification e-mail, without logging in.

    GET shows a one-button page, because link scanners in mail systems fetch GET links; POST
    (the button, or a mail program's one-click request) unsubscribes.
    """
    from .notifications import KINDS, read_unsubscribe_token
    from .notifications import unsubscribe as unsubscribe_kind

    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "civic/unsubscribe.html", {"invalid": True}, status=400)
    recipient, kind = found
    label = KINDS.get(kind, _("All notification e-mails"))
    done = False
    if request.method == "POST":
        unsubscribe_kind(recipient=recipient, kind=kind)
        done = True
    return render(request, "civic/unsubscribe.html", {"label": label, "done": done})


def error_404(request, exception=None):
    return json_error_for_api(request, 404) or render(request, "404.html", status=404)


def error_403(request, exception=None):
    return json_error_for_api(request, 403) or render(
        request, "403.html", {"reason": str(exception or "")}, status=403
    )


def error_500(request):
    return json_error_for_api(request, 500) or render(request, "500.html", status=500)


@require_GET
def legal_page(request, kind):
    """Privacy notice, terms of use, accessibility statement or cookies, in the reader's
    language: the municipality's own text, or the default filled in from the settings."""
    page = legal.page_for(kind, translation.get_language())
    return render(request, "civic/legal_page.html", {"page": page})


@login_required
@require_GET
def notifications(request):
    """The person's notices on the site, newest first; opening the page reads them."""
    notices = notices_read(request.user)
    return render(request, "civic/notifications.html", {"notices": notices})


@login_required
@require_http_methods(["GET", "POST"])
def consent_page(request):
    """The terms of use and privacy notice of the municipality served, to accept before taking
    part here for the first time (civic.consent)."""
    back = consent.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if consent.given_here(request.user):
        return redirect(back)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent.consent_record(request.user, language=translation.get_language())
        messages.success(
            request,
            _("Thank you. You can take part in %(name)s now.")
            % {"name": request.municipality.display_name},
        )
        return redirect(back)
    return render(
        request,
        "civic/consent.html",
        {"form": form, "next": back, "municipality": request.municipality},
        status=400 if form.errors else 200,
    )
