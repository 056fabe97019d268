from django.apps import AppConfig


class DevsiteConfig(AppConfig):
    name = "devsite"
    verbose_name = "Development kit"
