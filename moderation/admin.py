from django.contrib import admin

from civic.permissions import is_administrator

from .models import Appeal, Block, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Who reported is private: only an administrator (who answers for the legal hold) sees it
    here; anyone else given Administration sees the report without its reporter."""

    list_display = ["__str__", "consultation", "reason", "status", "created_at"]
    list_filter = ["status", "reason", "consultation"]
    raw_id_fields = ["reporter", "resolved_by", "idea", "image", "comment"]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not is_administrator(request.user):
            excluded.append("reporter")
        return excluded


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["user", "consultation", "until", "lifted_at", "created_at"]
    list_filter = ["consultation"]
    raw_id_fields = ["user", "created_by"]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["__str__", "consultation", "status", "created_at", "decided_at"]
    list_filter = ["status", "consultation"]
    raw_id_fields = ["author", "decided_by", "idea", "image", "comment"]
