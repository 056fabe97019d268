from django.contrib import admin
from django.db import models

from civic.admin_changes import AnnouncesChanges
from civic.changes import Change
from social.models import Channel, CrisisStop, ImportedComment, OutboxEntry, SocialPost


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    # Credentials are never shown or edited here: connecting goes through the platform check.
    list_display = ("name", "platform", "state", "token_expires_at", "is_removed")
    list_filter = ("platform", "state", "is_removed")
    exclude = ("credentials_encrypted",)
    readonly_fields = ("remote_id", "remote_url", "max_characters", "state_reason")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SocialPost)
class SocialPostAdmin(AnnouncesChanges, admin.ModelAdmin):
    change_kind = Change.SOCIAL_POST
    list_display = ("__str__", "consultation", "state", "published_at")
    list_filter = ("state", "channel__platform")
    raw_id_fields = ("consultation", "created_by", "approved_by")
    readonly_fields = ("remote_id", "remote_url", "remote_answer", "metrics", "attempts")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = ("post", "state", "not_before", "attempts", "stale_after")
    list_filter = ("state",)
    readonly_fields = ("idempotency_key", "progress", "last_error")
    raw_id_fields = ("post",)


@admin.register(CrisisStop)
class CrisisStopAdmin(admin.ModelAdmin):
    list_display = ("reason", "active", "started_at", "ended_at")


@admin.register(ImportedComment)
class ImportedCommentAdmin(AnnouncesChanges, admin.ModelAdmin):
    change_kind = Change.SOCIAL_POST

    def consultation_id_of(self, obj):
        return obj.post.consultation_id

    list_display = ("author_name", "platform", "is_hidden", "created_at")
    list_filter = ("platform", "is_hidden")
    raw_id_fields = ("post",)
