from django.apps import AppConfig


class DebateConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "debate"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from civic import pagecache
        from ideas.models import Idea

        from . import selectors
        from .models import Comment

        # Cached public pages (civic.pagecache) show comments; votes and poll answers are
        # counts, shown within PAGE_CACHE_SECONDS like supports.
        pagecache.follow(Comment, lambda comment: comment.consultation_id)

        # The hub's cached key figures count comments and ideas; any change to one (a new,
        # edited, hidden or deleted comment, a vote saving its score) forgets them.
        def forget_figures(sender, instance, **kwargs):
            selectors.forget_consultation_figures(instance.consultation_id)

        for model in (Comment, Idea):
            label = model._meta.label_lower
            post_save.connect(
                forget_figures,
                sender=model,
                weak=False,
                dispatch_uid=f"debate-figures-save-{label}",
            )
            post_delete.connect(
                forget_figures,
                sender=model,
                weak=False,
                dispatch_uid=f"debate-figures-delete-{label}",
            )
