from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"

    def ready(self):
        from civic.changes import Cache, forgets

        from . import selectors

        forgets(Cache.RULES, selectors.forget_rules)
        forgets(Cache.LOOKUPS, selectors.forget_lookups)
