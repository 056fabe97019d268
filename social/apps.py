from django.apps import AppConfig


class SocialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "social"

    def ready(self):
        from civic import pagecache

        from .models import ImportedComment, SocialPost

        # The hub shows published posts ("also discussed on ...") and their imported comments.
        pagecache.follow(SocialPost, lambda post: post.consultation_id)
        pagecache.follow(ImportedComment, pagecache.via_parent("post"))
