import csv
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civic import branding, permissions, services
from civic.audit import PRIVATE_ACTOR_ACTIONS, actor_is_private
from civic.audit_labels import action_label
from civic.models import (
    ApiToken,
    AuditEntry,
    Membership,
    Municipality,
    Role,
    User,
    role_here_annotations,
)
from civic.people import people_here
from civic.query_params import page_number
from civic.spreadsheets import formula_safe

from .forms import (
    AuditFilterForm,
    MunicipalitySettingsForm,
    RoleForm,
    TokenForm,
    UserFilterForm,
)

USERS_PER_PAGE = 25
TOKENS_PER_PAGE = 50
AUDIT_PER_PAGE = 50
# A download holds at most this many rows; narrow the filter for older entries.
AUDIT_CSV_MAX_ROWS = 50_000


def sections(user) -> list[dict]:
    """The back office's sections the person may use, in the order the menu shows them."""
    rows = [
        (
            permissions.can_manage_users(user),
            "backoffice:users",
            gettext_lazy("Users and roles"),
            gettext_lazy("Find people and change their role."),
        ),
        (
            permissions.can_use_api_tokens(user),
            "backoffice:tokens",
            gettext_lazy("API tokens"),
            gettext_lazy("Keys for programs that use the API on your behalf."),
        ),
        (
            permissions.can_read_audit_log(user),
            "backoffice:audit",
            gettext_lazy("Audit log"),
            gettext_lazy("Who did what, and when. Filter it and download it."),
        ),
        (
            permissions.can_run_consultations(user),
            "ideas_staff:answer_templates",
            gettext_lazy("Answer templates"),
            gettext_lazy("Ready answers for the official answer to an idea."),
        ),
        (
            permissions.can_manage_settings(user),
            "backoffice:settings",
            gettext_lazy("Municipality settings"),
            gettext_lazy("Name, logo, colour and the map's defaults."),
        ),
    ]
    return [
        {"url": reverse(name), "url_name": name, "title": title, "description": text}
        for allowed, name, title, text in rows
        if allowed
    ]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("This part of the back office is not open to your role."))


def _page(request, queryset, per_page):
    try:
        number = page_number(request.GET.get("page"))
    except ValidationError:
        number = 1
    return Paginator(queryset, per_page).get_page(number)


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@login_required
def home(request):
    _require(permissions.can_use_back_office(request.user))
    return render(
        request,
        "civic/staff/home.html",
        {
            "sections": sections(request.user),
            "show_django_admin": permissions.is_administrator(request.user),
        },
    )


# --- Users and roles ---------------------------------------------------------------------------


@require_GET
@login_required
def users(request):
    _require(permissions.can_manage_users(request.user))
    form = UserFilterForm(request.GET or None)
    people = people_here().order_by("email", "pk")
    status = 200
    if form.is_bound and form.is_valid():
        text, role = form.cleaned_data["q"], form.cleaned_data["role"]
        if text:
            people = people.filter(Q(email__icontains=text) | Q(display_name__icontains=text))
        if role:
            people = people.filter(pk__in=User.objects.holding(role).values("pk"))
    elif form.is_bound:
        people, status = people.none(), 400
    page = _page(request, people, USERS_PER_PAGE)
    return render(
        request,
        "civic/staff/users.html",
        {"form": form, "page": page, "query": query_without_page(request), **menu_context(request)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def user_role(request, pk):
    _require(permissions.can_manage_users(request.user))
    person = get_object_or_404(people_here(), pk=pk)
    initial = {"role": person.role, "limited_to_assigned": person.limited_to_assigned}
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_role_change(
                actor=request.user,
                user=person,
                role=form.cleaned_data["role"],
                limited_to_assigned=form.cleaned_data["limited_to_assigned"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            person.refresh_from_db()
            messages.success(
                request,
                _("%(person)s is now: %(role)s.")
                % {"person": _person_label(person), "role": person.get_role_display()},
            )
            return redirect("backoffice:users")
    history = AuditEntry.objects.filter(
        action="account.role_change",
        content_type__app_label="civic",
        content_type__model="user",
        object_id=str(person.pk),
    )[:10]
    return render(
        request,
        "civic/staff/user_role.html",
        {
            "person": person,
            "person_label": _person_label(person),
            "form": form,
            "is_self": person.pk == request.user.pk,
            "history": [_history_row(entry) for entry in history],
            **menu_context(request),
        },
        status=400 if form.errors else 200,
    )


def _person_label(person: User) -> str:
    return person.email or person.public_name


def _history_row(entry: AuditEntry) -> dict:
    role_change = entry.changes.get("role")
    limited = entry.changes.get("limited_to_assigned")
    return {
        "entry": entry,
        "old_role": Role(role_change[0]).label if role_change else None,
        "new_role": Role(role_change[1]).label if role_change else None,
        "limited": limited[1] if limited else None,
    }


# --- API tokens ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def tokens(request):
    """Your tokens (an administrator: everyone's), and a form for a new one. The new key is
    in the answer to the POST only: never stored, never in a redirect or the session."""
    _require(permissions.can_use_api_tokens(request.user))
    form = TokenForm(request.POST or None)
    new_key, new_token, status = None, None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new_token, new_key = services.api_token_create(
                    actor=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                form = TokenForm()
        if form.errors:
            status = 400
    see_all = permissions.can_see_all_api_tokens(request.user)
    # Active tokens first (a NULL revoked_at), on SQLite and PostgreSQL alike.
    here = request.municipality.id
    listed = (
        ApiToken.objects.select_related("owner")
        .annotate(**role_here_annotations("owner_id", here, "owner_"))
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )
    if see_all:
        # Everyone's tokens means everyone's who works here, not another municipality's staff.
        listed = listed.filter(
            owner__in=Membership.objects.filter(municipality_id=here).values("user_id")
        )
    else:
        listed = listed.filter(owner=request.user)
    page = _page(request, listed, TOKENS_PER_PAGE)
    page.object_list = list(page.object_list)
    for token in page.object_list:
        token.owner.note_held(here, token.owner_here_role, token.owner_here_limited)
    return render(
        request,
        "civic/staff/tokens.html",
        {
            "form": form,
            "page": page,
            "see_all": see_all,
            "new_key": new_key,
            "new_token": new_token,
            **menu_context(request),
        },
        status=status,
    )


@require_POST
@login_required
def token_revoke(request, pk):
    _require(permissions.can_use_api_tokens(request.user))
    token = get_object_or_404(ApiToken.objects.select_related("owner"), pk=pk)
    if not permissions.can_revoke_api_token(request.user, token):
        raise PermissionDenied(_("You may revoke only your own tokens."))
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("backoffice:tokens")


# --- Audit log -----------------------------------------------------------------------------------


def _audit_entries(form: AuditFilterForm):
    entries = AuditEntry.objects.select_related("content_type").order_by("-created_at", "-id")
    data = form.cleaned_data
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("actor"):
        # Who supported or reported something is never searchable by who they are.
        entries = entries.filter(actor_label__icontains=data["actor"]).exclude(
            action__in=PRIVATE_ACTOR_ACTIONS
        )
    if data.get("kind"):
        entries = entries.filter(content_type_id=int(data["kind"]))
    # Whole days in the site's time zone, both ends included.
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        entries = entries.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data.get("date_to"):
        day_after = data["date_to"] + timedelta(days=1)
        entries = entries.filter(created_at__lt=datetime.combine(day_after, time.min, tz))
    return entries


def _audit_row(entry: AuditEntry) -> dict:
    model = entry.content_type.model_class() if entry.content_type else None
    return {
        "entry": entry,
        "when": entry.created_at,
        "who": _("a participant") if actor_is_private(entry.action) else entry.actor_label,
        "what": action_label(entry.action),
        "kind": str(model._meta.verbose_name).capitalize() if model else "",
        "object": entry.object_repr,
        "reason": entry.reason,
        "changes": _readable_changes(entry, model),
    }


def _readable_changes(entry: AuditEntry, model) -> list[tuple[str, str]]:
    """What changed, as "field: old → new"; what a moderator edited out stays off screen."""
    rows = []
    for key, value in entry.changes.items():
        if key == "original":
            continue
        if isinstance(value, list) and len(value) == 2:
            old, new = (_change_value(key, part) for part in value)
            rows.append((_field_label(model, key), f"{old} → {new}"))
        else:
            rows.append((_field_label(model, key), _change_value(key, value)))
    return rows


def _field_label(model, key: str) -> str:
    """The field's name as its form shows it, where the key is a field of the object."""
    try:
        return str(model._meta.get_field(key).verbose_name).capitalize()
    except Exception:  # no model, or not one of its fields (FieldDoesNotExist)
        return key


def _change_value(key: str, value) -> str:
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value in (None, ""):
        return "—"
    return str(value)


@require_GET
@login_required
def audit(request):
    _require(permissions.can_read_audit_log(request.user))
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        entries, status = _audit_entries(form), 200
    else:
        entries, status = AuditEntry.objects.none(), 400
    page = _page(request, entries, AUDIT_PER_PAGE)
    query = query_without_page(request)
    return render(
        request,
        "civic/staff/audit.html",
        {
            "form": form,
            "page": page,
            "rows": [_audit_row(entry) for entry in page.object_list],
            "query": query,
            "csv_url": reverse("backoffice:audit_csv") + (f"?{query}" if query else ""),
            **menu_context(request),
        },
        status=status,
    )


@require_GET
@login_required
def audit_csv(request):
    """The filtered log as CSV (UTF-8 with a byte order mark, like the reports' CSV files)."""
    _require(permissions.can_read_audit_log(request.user))
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    headers = [_("When"), _("Who"), _("Action"), _("Kind"), _("Object"), _("Why"), _("Changes")]
    writer.writerow(headers)
    for entry in _audit_entries(form)[:AUDIT_CSV_MAX_ROWS].iterator(chunk_size=2000):
        row = _audit_row(entry)
        changes = "; ".join(f"{key}: {value}" for key, value in row["changes"])
        cells = [
            timezone.localtime(row["when"]).isoformat(sep=" ", timespec="seconds"),
            row["who"],
            row["what"],
            row["kind"],
            row["object"],
            row["reason"],
            changes,
        ]
        writer.writerow([formula_safe(str(cell)) for cell in cells])
    return response


# --- Municipality settings -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def municipality_settings(request):
    _require(permissions.can_manage_settings(request.user))
    row = Municipality.objects.get(pk=request.municipality.id)
    form = MunicipalitySettingsForm(
        request.POST or None,
        request.FILES or None,
        instance=row,
        environment=branding.environment_values(),
    )
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in form.Meta.fields if field != "logo"}
        upload = request.FILES.get("logo")
        try:
            services.municipality_settings_save(
                actor=request.user,
                values=values,
                logo=upload,
                clear_logo=form.cleaned_data["clear_logo"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("backoffice:settings")
    return render(
        request,
        "civic/staff/settings.html",
        {
            "form": form,
            "effective": branding.effective(),
            "stored_logo": row.logo.url if row.pk and row.logo else "",
            **menu_context(request),
        },
        status=400 if form.errors else 200,
    )


# --- Shared --------------------------------------------------------------------------------------


def menu_context(request) -> dict:
    """The back office's menu, with the section the page belongs to marked."""
    menu = sections(request.user)
    for section in menu:
        if request.path == section["url"]:
            section["current"] = "page"
        elif request.path.startswith(section["url"]):
            section["current"] = "true"
    return {"staff_sections": menu}


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
