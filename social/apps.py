from django.apps import AppConfig


class SocialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "social"

    def ready(self):
        from consultations import hub as consultation_hub

        from . import hub

        consultation_hub.register("social", "social.also_discussed_on", hub.also_discussed_on)
