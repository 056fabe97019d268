from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CivicConfig(AppConfig):
    default = True
    name = "civic"
    verbose_name = _("Accounts and audit")

    def ready(self):
        from civic import httpcache, pagecache
        from civic.changes import Cache, forgets

        forgets(Cache.PAGES, pagecache.forget_pages)
        forgets(Cache.HOME, pagecache.forget_home)
        # The same pages (and the map feeds) in shared HTTP caches in front of the site.
        forgets(Cache.PAGES, httpcache.ban_consultation)
        forgets(Cache.CLUSTERS, httpcache.ban_consultation)
        forgets(Cache.HOME, httpcache.ban_home)
        # allauth writes the site's name and domain into its e-mails from the sites framework,
        # whose first row says "example.com" until told otherwise: keep it equal to the settings.
        post_migrate.connect(site_from_settings, dispatch_uid="civic.site_from_settings")
        post_migrate.connect(municipalities_read_again, dispatch_uid="civic.municipalities")


def municipalities_read_again(sender=None, **kwargs):
    """A migration may have changed the municipalities' rows (civic 0016 gave them their
    pseudonym secrets): every worker reads them again rather than keep its copy."""
    from civic import tenancy

    if sender is not None and getattr(sender, "name", "civic") != "civic":
        return  # sent once per app; the municipalities are civic's

    tenancy.forget()


def site_from_settings(sender=None, using="default", **kwargs):
    """Name the current Site after SITE_NAME and SITE_URL's host (after every migrate)."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"name": settings.SITE_NAME, "domain": domain}
    )
    Site.objects.clear_cache()


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
