from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "social"

    def ready(self) -> None:
        # Channel owners are told when a token stops working; notify() accepts known kinds only.
        from civic import notifications

        notifications.KINDS.setdefault(
            "social_channel", _("Social media channels that need re-authorisation")
        )
