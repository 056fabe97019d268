from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        # Moderation decisions reach their author through the shared notifications, as one
        # more kind the person can see (and, like every kind, opt out of) in their settings.
        from civic.notifications import KINDS

        KINDS.setdefault("moderation", _("Moderation decisions about my contributions"))
