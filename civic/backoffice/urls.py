from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_role, name="user_role"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit, name="audit"),
    path("audit/audit-log.csv", views.audit_csv, name="audit_csv"),
    path("settings/", views.municipality_settings, name="settings"),
]
