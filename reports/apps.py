from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self):
        from civic.changes import Cache, forgets

        from . import selectors

        forgets(Cache.SUMMARY, selectors.forget_summary)

        from .countables import register_countables

        register_countables()

        from consultations import hub as consultation_hub

        from . import hub

        consultation_hub.register("figures", "reports.summary_link", hub.summary_link)
