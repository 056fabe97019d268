"""Admin for support staff: read and correct; domain changes go through the site's pages."""

from django.contrib import admin

from civic.admin_changes import AnnouncesChanges
from civic.changes import Change

from .models import AnswerTemplate, Follow, Idea, IdeaImage, PhaseAnnouncement, StatusChange


class IdeaImageInline(admin.StackedInline):
    model = IdeaImage
    extra = 0
    fields = ["image", "alt_text", "position", "is_redacted"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "answer", "changed_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Idea)
class IdeaAdmin(AnnouncesChanges, admin.ModelAdmin):
    change_kind = Change.IDEA  # its text, photos, status and answer
    list_display = [
        "reference",
        "title",
        "consultation",
        "status",
        "publication",
        "is_hidden",
        "support_count",
        "created_at",
    ]
    list_filter = ["consultation", "status", "publication", "is_hidden"]
    search_fields = ["reference", "title", "description"]
    list_select_related = ["consultation"]
    raw_id_fields = ["author", "entered_by", "answered_by", "duplicate_of"]
    # Counters and references are kept by the services; editing them here would corrupt them.
    readonly_fields = ["reference", "support_count", "comment_count", "created_at", "updated_at"]
    inlines = [IdeaImageInline, StatusChangeInline]


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "consultation", "status"]
    list_filter = ["consultation"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "consultation", "idea", "created_at"]
    raw_id_fields = ["user", "consultation", "idea"]


@admin.register(PhaseAnnouncement)
class PhaseAnnouncementAdmin(admin.ModelAdmin):
    list_display = ["phase", "recipients", "created_at"]
    readonly_fields = ["phase", "recipients", "created_at"]
