from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"

    def ready(self):
        from civic import pagecache

        from .models import Category, Consultation, Phase, PollOption, Topic

        # Cached public pages (civic.pagecache) show all of these.
        pagecache.follow(Consultation, lambda consultation: consultation.pk)
        for model in (Phase, Category, Topic):
            pagecache.follow(model, lambda row: row.consultation_id)
        pagecache.follow(PollOption, pagecache.via_parent("topic"))
