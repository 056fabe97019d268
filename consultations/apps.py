from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"

    def ready(self):
        from civic.changes import Cache, forgets

        from . import hub, selectors, survey_hub

        forgets(Cache.RULES, selectors.forget_rules)
        # This worker's anonymous sections of the hub go at once (others by their versions).
        forgets(Cache.PAGES, hub.forget_kept_sections)
        forgets(Cache.LOOKUPS, selectors.forget_lookups)
        hub.register("map", "consultations.map_survey", survey_hub.survey_section)
