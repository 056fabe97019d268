from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"

    def ready(self):
        from civic.changes import Cache, forgets

        from . import selectors

        forgets(Cache.RULES, selectors.forget_rules)
        forgets(Cache.LOOKUPS, selectors.forget_lookups)

        from civic.csp_middleware import adds_image_sources

        # Official map services' tiles are images from their hosts (maps.services_config).
        adds_image_sources(selectors.map_service_sources)
