"""Django admin for support staff. Planners work in the site's own forms, which go through the
services (validation of the timeline, audit log); the admin is for repairs.

Inlines are stacked, not tabular: a table's column headings are not labels, so each field in a
tabular row would be unnamed for a screen reader. The planners are a plain multiple choice: the
two-box "horizontal filter" widget puts ARIA attributes where they are not allowed.
"""

from django.contrib import admin

from civic.admin_changes import AnnouncesChanges
from civic.changes import Change

from .models import Category, Consultation, Phase, PollOption, Topic


class PhaseInline(admin.StackedInline):
    model = Phase
    extra = 0
    fields = [
        "kind",
        "name",
        "starts_at",
        "ends_at",
        "allows_ideas",
        "allows_support",
        "allows_comments",
        "allows_poll",
    ]


class CategoryInline(admin.StackedInline):
    model = Category
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(AnnouncesChanges, admin.ModelAdmin):
    change_kind = Change.CONSULTATION  # with its phases and categories

    def consultation_id_of(self, obj):
        return obj.pk

    list_display = ["title", "slug", "status", "kind", "language", "created_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title", "slug", "summary"]
    readonly_fields = ["idea_counter", "results_published_at", "created_at", "updated_at"]
    raw_id_fields = ["created_by"]
    inlines = [PhaseInline, CategoryInline]


class PollOptionInline(admin.StackedInline):
    model = PollOption
    extra = 0


@admin.register(Topic)
class TopicAdmin(AnnouncesChanges, admin.ModelAdmin):
    change_kind = Change.TOPIC
    list_display = ["title", "consultation", "position", "comment_count"]
    list_filter = ["consultation"]
    search_fields = ["title"]
    readonly_fields = ["comment_count", "created_at"]
    raw_id_fields = ["created_by"]
    inlines = [PollOptionInline]
