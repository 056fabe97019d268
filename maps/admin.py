from django.contrib import admin

from .models import GeocodeCacheEntry


@admin.register(GeocodeCacheEntry)
class GeocodeCacheEntryAdmin(admin.ModelAdmin):
    list_display = ["query", "backend", "created_at", "expires_at"]
    list_filter = ["backend"]
    search_fields = ["query"]
    readonly_fields = ["key", "backend", "query", "result", "created_at", "expires_at"]
