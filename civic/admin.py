import json

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from . import api_tokens, tenancy
from .admin_changes import AnnouncesChanges
from .admin_site import is_operator
from .audit import PRIVATE_ACTOR_ACTIONS, actor_is_private, audit_record
from .audit_labels import action_label
from .changes import Change
from .legal import legal_page_save
from .models import AuditEntry, LegalPage, Municipality, MunicipalityHost, User
from .pseudonyms import accounts_shown_as


@admin.register(User)
class UserAdmin(AnnouncesChanges, BaseUserAdmin):
    # A shown name is on pages of every consultation the person took part in.
    change_kind = Change.PUBLIC_NAME

    def consultation_id_of(self, obj):
        return None

    def get_queryset(self, request):
        # Another municipality's residents are not this one's business (civic.people).
        from .people import people_here

        return super().get_queryset(request).filter(pk__in=people_here().values("pk"))

    list_display = ("email", "display_name", "role", "is_active", "date_joined")
    list_filter = ("is_active",)
    search_fields = ("email", "display_name", "pseudonym_code")

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The code the audit log and the pages show here may be derived (civic.pseudonyms).
        shown_as = accounts_shown_as(search_term, queryset)
        if shown_as:
            found = found | queryset.filter(pk__in=shown_as)
        return found, may_have_duplicates

    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        (_("Profile"), {"fields": ("display_name", "show_name_publicly", "phone")}),
        (_("Role"), {"fields": ("role_here", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    # Roles are held per municipality and given in the back office (Users), under its rules
    # (not one's own, never the last administrator); the flags follow them (civic.memberships).
    readonly_fields = ("role_here", "is_staff", "is_superuser")

    @admin.display(description=_("role here"))
    def role_here(self, obj):
        return obj.get_role_display()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Whether the account is active may have changed: the workers' copies of the person's
        # tokens are read again.
        api_tokens.forget_owner(obj.pk)

    def delete_model(self, request, obj):
        api_tokens.forget_owner(obj.pk)  # the tokens go with the account
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            api_tokens.forget_owner(pk)
        super().delete_queryset(request, queryset)


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, offered by label (the stored code stays in the address)."""

    title = _("what")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = AuditEntry.objects.values_list("action", flat=True).distinct().order_by()
        return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only. Who supported or reported something is shown to nobody and
    cannot be searched for: the entry keeps the actor for the legal hold only."""

    list_display = ("created_at", "who", "what", "object_repr", "reason")
    list_filter = (ActionFilter,)
    search_fields = ("object_repr", "actor_label", "reason")
    fields = (
        "created_at",
        "who",
        "what",
        "content_type",
        "object_id",
        "object_repr",
        "consultation_id",
        "reason",
        "changes_recorded",
    )
    readonly_fields = fields

    @admin.display(description=_("what"), ordering="action")
    def what(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    @admin.display(description=_("who"))
    def who(self, entry: AuditEntry) -> str:
        if actor_is_private(entry.action):
            return _("a participant")
        return entry.actor_label

    @admin.display(description=_("changes"))
    def changes_recorded(self, entry: AuditEntry) -> str:
        # What a moderator edited out stays in the database for the legal hold, off screen.
        changes = {key: value for key, value in entry.changes.items() if key != "original"}
        return json.dumps(changes, ensure_ascii=False, indent=1)

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None and actor_is_private(entry.action):
            # The page's title and breadcrumbs print the entry, actor included; never saved.
            entry.actor, entry.actor_label = None, str(_("a participant"))
        return entry

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            # A private act found only through its actor's name or address stays hidden.
            terms = search_term.split()
            by_actor_only = Q(action__in=PRIVATE_ACTOR_ACTIONS)
            for term in terms:
                by_actor_only &= ~Q(object_repr__icontains=term) & ~Q(reason__icontains=term)
            results = results.exclude(by_actor_only)
        return results, may_have_duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    """The municipality's own privacy notice, terms, accessibility statement and cookie page."""

    list_display = ("kind", "language", "version", "updated_at")
    list_filter = ("kind", "language")
    readonly_fields = ("version", "updated_at")
    # The municipality served: its own pages only (the scoped manager), new ones for it.
    exclude = ("municipality",)

    def save_model(self, request, obj, form, change):
        body = obj.body
        if change:
            obj.body = LegalPage.objects.get(pk=obj.pk).body  # the stored text, to compare
        legal_page_save(page=obj, body=body)


class MunicipalityHostInline(admin.StackedInline):
    model = MunicipalityHost
    extra = 1

    # For the operators who reach the municipality's page (MunicipalityAdmin decides).
    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """The municipalities of this installation: for platform operators only. A municipality's
    administrator changes its name, colour and map in the back office (Settings), not here."""

    for_operators = True
    inlines = [MunicipalityHostInline]
    list_display = ("name", "slug", "language", "is_active", "primary_host")
    list_filter = ("is_active", "language")
    search_fields = ("name", "slug", "hosts__host")
    fieldsets = (
        (None, {"fields": ("slug", "name", "language", "languages", "is_active")}),
        (_("Contact"), {"fields": ("contact_email", "email_sender")}),
        # The logo is uploaded in the back office, whose service strips its metadata
        # (civic.services.municipality_settings_save); no second upload path here.
        (_("Look"), {"fields": ("brand_colour",)}),
        (
            _("Map"),
            {
                "fields": (
                    "map_center_lat",
                    "map_center_lon",
                    "map_zoom",
                    "tile_url",
                    "tile_attribution",
                    "geocoder_countries",
                )
            },
        ),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and field.help_text:
            # The admin shows help texts as HTML; ours are text ("Name <address>" lost its
            # address as an unknown tag).
            field.help_text = escape(field.help_text)
        return field

    @admin.display(description=_("primary host name"))
    def primary_host(self, obj):
        host = next((row.host for row in obj.hosts.all() if row.is_primary), None)
        return host or f"{obj.slug}.localhost"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hosts")

    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request):
        return is_operator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        # Deleting one would delete its consultations and everything in them.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        with tenancy.activate(obj.pk):
            audit_record(
                actor=request.user,
                action="municipality.change" if change else "municipality.create",
                target=obj,
                changes={"fields": sorted(form.changed_data)},
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        tenancy.forget()  # its hosts are saved last; every worker reads the table again

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        tenancy.forget()
