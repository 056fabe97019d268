from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CivicConfig(AppConfig):
    default = True
    name = "civic"
    verbose_name = _("Accounts and audit")

    def ready(self):
        from civic import pagecache
        from civic.changes import Cache, forgets

        forgets(Cache.PAGES, pagecache.forget_pages)


class CivicAdminConfig(admin_apps.SimpleAdminConfig):
    default = False
    default_site = "civic.admin_site.AdminSite"

    """Django's admin, discovering every app's admin module except django-leaflet's.

    django-leaflet's admin module imports GeoDjango, which needs the GDAL C library; the
    platform stores geometry as GeoJSON and installs with pip alone, so it never loads it.
    """

    def ready(self):
        from importlib import import_module

        from django.apps import apps

        super().ready()  # the admin's system checks, without autodiscovery
        skipped = {"leaflet"}
        for app in apps.get_app_configs():
            if app.label in skipped:
                continue
            try:
                import_module(f"{app.name}.admin")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.admin":
                    raise
