from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("email", "display_name", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "limited_to_assigned")
    search_fields = ("email", "display_name", "pseudonym_code")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        (_("Profile"), {"fields": ("display_name", "show_name_publicly", "phone")}),
        (
            _("Role"),
            {"fields": ("role", "limited_to_assigned", "is_active", "is_staff", "is_superuser")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    # Both follow the role when the account is saved (civic.models.User.save).
    readonly_fields = ("is_staff", "is_superuser")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "action", "object_repr", "reason")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_label", "reason")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
