from django.contrib import admin

from .permissions import is_administrator


class AdminSite(admin.AdminSite):
    """Django Administration opens to the administrator role, the one source of that power.

    User.save keeps is_staff in step with the role; asking the role here as well means a flag
    changed behind the model's back (a bulk update, a database console) opens nothing.
    """

    def has_permission(self, request):
        return is_administrator(request.user)
