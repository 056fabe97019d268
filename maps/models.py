"""The geocoding cache: answers from an address search service, kept so that the same search
is asked only once (Nominatim's usage policy asks for that, and it keeps the form fast)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeocodeCacheEntry(models.Model):
    # sha256 of backend, operation and normalised query: short, fixed-size and indexable.
    key = models.CharField(max_length=64, unique=True)
    backend = models.CharField(max_length=20)
    query = models.CharField(max_length=300)
    result = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("geocoding answer")
        verbose_name_plural = _("geocoding answers")

    def __str__(self):
        return f"{self.backend}: {self.query}"
