from django.apps import AppConfig


class IdeasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ideas"

    def ready(self):
        from civic.changes import Cache, forgets

        from . import feeds, selectors

        forgets(Cache.DAILY_ORDER, selectors.forget_daily_order)
        forgets(Cache.CLUSTERS, feeds.forget_clusters)

        from consultations import hub as consultation_hub

        from . import hub

        consultation_hub.register("map", "ideas.map", hub.idea_map)
        consultation_hub.register("ideas", "ideas.panel", hub.idea_panel)
