from django.contrib import admin

from civic.admin_changes import AnnouncesChanges
from civic.changes import Change

from .models import Comment, CommentRevision, CommentVote, PollAnswer


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    readonly_fields = ["body", "created_at"]
    can_delete = False


@admin.register(Comment)
class CommentAdmin(AnnouncesChanges, admin.ModelAdmin):
    change_kind = Change.COMMENT
    list_display = [
        "id",
        "consultation",
        "topic",
        "idea",
        "author",
        "depth",
        "stance",
        "is_official",
    ]
    list_filter = ["stance", "is_official", "is_deleted", "is_hidden", "publication"]
    search_fields = ["body"]
    raw_id_fields = ["topic", "idea", "parent", "root", "author", "official_marked_by"]
    readonly_fields = ["upvotes", "downvotes", "score", "depth", "root", "consultation"]
    inlines = [CommentRevisionInline]


@admin.register(CommentVote)
class CommentVoteAdmin(admin.ModelAdmin):
    list_display = ["comment", "user", "value", "created_at"]
    raw_id_fields = ["comment", "user"]


@admin.register(PollAnswer)
class PollAnswerAdmin(admin.ModelAdmin):
    list_display = ["topic", "option", "user", "created_at"]
    raw_id_fields = ["topic", "option", "user"]
