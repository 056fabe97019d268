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

        from django.db.models.signals import post_delete, post_save

        from . import selectors

        def forget_slug(sender, instance, **kwargs):
            selectors.forget_slug(instance.slug)

        for signal in (post_save, post_delete):
            signal.connect(
                forget_slug, sender=Consultation, weak=False, dispatch_uid=f"slug:{signal}"
            )
