from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("consultation", "name", "variant", "status", "progress", "created_at")
    list_filter = ("status", "variant", "name")
    readonly_fields = [field.name for field in ExportJob._meta.fields]
