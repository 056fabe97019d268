from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

handler404 = "civic.views.error_404"
handler403 = "civic.views.error_403"
handler500 = "civic.views.error_500"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/profile/", views.profile, name="profile_legacy"),
    path("consent/", views.consent_page, name="consent"),
    path("me/", include(("civic.urls_me", "civic"), namespace="civic")),
    # Privacy notice, terms of use, accessibility statement and cookies, linked in every footer.
    re_path(
        r"^about/(?P<kind>privacy|terms|accessibility|cookies)/$", views.legal_page, name="legal"
    ),
    # The language switcher is on every page. Without a CSRF token in it, a page for anonymous
    # visitors is the same bytes for each of them, so a cached copy is served as it is (no
    # per-visitor token to swap in, no cookie to set) and could be cached by a proxy too. A
    # forged switch can do no more than change the language a visitor reads in; the view still
    # answers POST only, so no link or crawler changes it.
    # A signed-in person's choice is also stored for their e-mails (views.switch_language); a
    # forged cross-site POST carries no session cookie (SameSite=Lax), so it cannot store one.
    path("i18n/setlang/", csrf_exempt(views.switch_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline, so the
    # docs need no exception in the Content-Security-Policy; the UI itself is served from here
    # (drf-spectacular-sidecar), not from a CDN.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="civic/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/v1/", include("civic.api_urls")),
    path("maps/", include("ideas.static_map_urls")),
    path("moderation/", include("moderation.urls")),
    path("reports/", include("reports.urls")),
    path("social/", include("social.urls")),
    # The back office; answer templates are the ideas app's pages within it.
    path("staff/answer-templates/", include("ideas.staff_urls")),
    path("staff/", include("civic.backoffice.urls")),
    path("", include("social.embed_urls")),
    path("", include("frontend.urls")),
    path("debate/", include("debate.urls")),
    path("ideas/", include("ideas.urls")),
    path("", include("reports.analysis_urls")),
    path("", include("consultations.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
