from django.apps import AppConfig


class DebateConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "debate"

    def ready(self):
        from civic.changes import Cache, forgets

        from . import figures, selectors

        forgets(Cache.FIGURES, figures.forget_consultation_figures)
        forgets(Cache.HOME, selectors.forget_site_figures)

        from consultations import hub as consultation_hub

        from . import hub

        consultation_hub.register("figures", "debate.figures", hub.figures)
        consultation_hub.register("topics", "debate.topics", hub.topics)
