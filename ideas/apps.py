from django.apps import AppConfig


class IdeasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ideas"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from civic import pagecache

        from . import selectors
        from .models import Idea, IdeaImage, StatusChange

        # Cached public pages (civic.pagecache) show ideas, their photos and status history.
        # Supports are not followed: their counts may be PAGE_CACHE_SECONDS old for anonymous
        # visitors, which keeps a support storm from emptying the cache the crowd reads.
        pagecache.follow(Idea, lambda idea: idea.consultation_id)
        for model in (IdeaImage, StatusChange):
            pagecache.follow(model, pagecache.via_parent("idea"))

        # Any saved or deleted idea may change which ideas are public, so the cached daily
        # order of the consultation is recomputed on its next read.
        def forget_order(sender, instance, **kwargs):
            selectors.forget_daily_order(instance.consultation_id)

        post_save.connect(
            forget_order, sender=Idea, weak=False, dispatch_uid="ideas-forget-order-save"
        )
        post_delete.connect(
            forget_order, sender=Idea, weak=False, dispatch_uid="ideas-forget-order-delete"
        )
